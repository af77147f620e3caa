#pragma once
// The sentence filter decision kernel: every sentence verdict decided in one
// place, columnar, from the stored scores. ExtractStage writes its result;
// LiveDecisions previews with the same code.
//
// Codes index reasonCodes(ReasonTable::Sentences) (0 = kept), first failing
// reason wins. Duplicates: the first surviving sentence (by id) with the
// same text keeps (exact_duplicate), then the same normalised key
// (normalized_duplicate).
//
// The rules themselves are SentenceRules, applied sentence by sentence in id
// order: decideSentenceFilters runs them over loaded columns, and ingest
// (SentenceVerdictStream) over the sentences of a fresh project as it writes
// them, so that extract's pass finds them decided and writes nothing.
// Thread-safety: decideSentenceFilters is pure and reentrant.

#include "core/store/settingfields.h"
#include "core/store/verdicts.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QByteArrayView>
#include <QStringList>

#include <memory>
#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

struct SentenceFilterSettings {
    bool dropCode = true, dropNav = true, dropUrls = true, dropEmails = true, dropEmoji = true;
    qint64 minWords = 0, maxWords = 0;
    double minEntropy = 0;
    bool dedup = true;

    // The one binding of fields to recipe keys (core/store/settingfields.h),
    // in the order the studio lists them.
    template <class F>
    void fields(F &&f)
    {
        f(minWords, "extract.min_words");
        f(maxWords, "extract.max_words");
        f(minEntropy, "extract.min_entropy");
        f(dropCode, "extract.drop_code");
        f(dropNav, "extract.drop_nav");
        f(dropUrls, "extract.drop_urls");
        f(dropEmails, "extract.drop_emails");
        f(dropEmoji, "extract.drop_emoji");
        f(dedup, "extract.dedup_sentences");
    }
    static SentenceFilterSettings fromRecipe(const Recipe &recipe);
    static QStringList recipeKeys(bool liveOnly = false);
};

struct SentenceFilterInputs {
    enum Kind : quint8 { Text = 0, Code = 1, Nav = 2 };
    enum Flag : quint8 { Url = 1, Email = 2, Emoji = 4 };
    // The kind of a stored sentences.kind value ("code", "nav", else text).
    static Kind kindOf(QByteArrayView storedKind)
    {
        return storedKind == "code" ? Code : storedKind == "nav" ? Nav : Text;
    }
    // The flags of the stored has_url, has_email and has_emoji.
    static quint8 flagsOf(bool url, bool email, bool emoji)
    {
        return quint8((url ? Url : 0) | (email ? Email : 0) | (emoji ? Emoji : 0));
    }
    std::vector<qint64> id;
    std::vector<quint8> kind;
    std::vector<qint32> words;
    std::vector<double> entropy; // bits, as stored
    std::vector<quint8> flags;
    std::vector<qint32> textGroup; // same exact text, -1 = unique
    std::vector<qint32> keyGroup;  // same normalised dedup key, -1 = unique
    qint32 textGroups = 0, keyGroups = 0;
};

struct SentenceVerdictColumns {
    std::vector<quint8> code;
    std::vector<qint32> duplicateOf; // row, -1 = none
};

// One sentence's scores, as the rules read them.
struct SentenceFacts {
    quint8 kind = SentenceFilterInputs::Text;
    qint32 words = 0;
    double entropy = 0; // bits, as stored
    quint8 flags = 0;   // SentenceFilterInputs::Flag
};

// The sentence filters for one set of settings.
class SentenceRules {
public:
    explicit SentenceRules(const SentenceFilterSettings &settings);

    // The verdict code of the next sentence in id order (0 = kept).
    // firstText and firstKey are where the first surviving sentence with
    // the same text, and with the same normalised key, is noted (by the
    // caller's numbering, `self` for this one; negative = none yet); null
    // when no other sentence shares it. A duplicate gets the first one's
    // number in duplicateOf; a survivor notes itself.
    quint8 decide(const SentenceFacts &f, qint64 self, qint64 *firstText, qint64 *firstKey, qint64 &duplicateOf) const;

private:
    SentenceFilterSettings m_s;
    quint8 m_flagMask = 0;
    quint8 m_code = 0, m_nav = 0, m_url = 0, m_email = 0, m_emoji = 0, m_few = 0, m_many = 0, m_entropy = 0,
           m_exact = 0, m_normalized = 0;
};

SentenceVerdictColumns decideSentenceFilters(const SentenceFilterInputs &in, const SentenceFilterSettings &settings);

// Decides the sentences of a project that has none yet, as they are
// written, in id order: exactly the verdicts redecideSentences would give
// them. Only for a project without sentences: a duplicate of a sentence
// written before would go unseen.
class SentenceVerdictStream {
public:
    explicit SentenceVerdictStream(const SentenceFilterSettings &settings);
    ~SentenceVerdictStream();
    SentenceVerdictStream(const SentenceVerdictStream &) = delete;
    SentenceVerdictStream &operator=(const SentenceVerdictStream &) = delete;

    struct Verdict {
        QByteArrayView reason; // the reason key (UTF-8); empty = kept
        qint64 duplicateOf = 0; // the first one's id; 0 = none
    };
    // text and dedupKey as stored (UTF-8).
    Verdict decide(qint64 id, const SentenceFacts &facts, QByteArrayView text, QByteArrayView dedupKey);

    // Every refused sentence so far, in id order: what recordVerdictDigests
    // needs once the last sentence is written.
    const QVector<rs::Verdict> &refused() const { return m_refused; }

private:
    class FirstSurvivors;
    SentenceRules m_rules;
    QList<QByteArray> m_reasons; // by code - 1
    QStringList m_reasonNames;   // the same, as verdicts name them
    QVector<rs::Verdict> m_refused;
    std::unique_ptr<FirstSurvivors> m_texts, m_keys;
};

// Reads every sentence's filter inputs; with `stored`, also the verdicts the
// sentences hold now (for writeVerdicts), in the same pass over the table.
Result<SentenceFilterInputs> loadSentenceFilterInputs(ProjectStore &store, const JobContext *ctx = nullptr,
                                                      StoredVerdicts *stored = nullptr);

// Loads, decides and writes every sentence verdict, unless the stored ones
// are known to be what `recipe` decides (sentenceVerdictsCurrent).
Status redecideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx);

// Whether every stored sentence verdict is what `settings` decide, without
// reading the sentences: the last writer of the whole column recorded (with
// recordSentenceVerdictsCurrent) that it decided every sentence then in the
// table under these settings, by these rules, and the table holds the same
// sentences now. Sentences are only ever added, so their count and largest
// id tell; writeVerdicts forgets the record (core/store/verdicts.h).
Result<bool> sentenceVerdictsCurrent(ProjectStore &store, const SentenceFilterSettings &settings);
// Records that the verdicts now stored are what `settings` decide for every
// sentence in the table. Only for a writer that has just decided them all:
// redecideSentences, or ingest's verdict stream into a project that had none.
Status recordSentenceVerdictsCurrent(ProjectStore &store, const SentenceFilterSettings &settings);

} // namespace rs
