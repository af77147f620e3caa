#pragma once
// The sentence filter decision kernel: every sentence verdict decided in one
// place, columnar, from the stored scores. ExtractStage writes its result;
// LiveDecisions previews with the same code.
//
// Codes index reasonCodes(ReasonTable::Sentences) (0 = kept), first failing
// reason wins. Duplicates: the first surviving sentence (by id) with the
// same text keeps (exact_duplicate), then the same normalised key
// (normalized_duplicate).
// Thread-safety: decideSentenceFilters is pure and reentrant.

#include "core/store/settingfields.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QStringList>

#include <vector>

namespace rs {

class ProjectStore;
class Recipe;
class StoredVerdicts;

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

SentenceVerdictColumns decideSentenceFilters(const SentenceFilterInputs &in, const SentenceFilterSettings &settings);

// Reads every sentence's filter inputs; with `stored`, also the verdicts the
// sentences hold now (for writeVerdicts), in the same pass over the table.
Result<SentenceFilterInputs> loadSentenceFilterInputs(ProjectStore &store, const JobContext *ctx = nullptr,
                                                      StoredVerdicts *stored = nullptr);

// Loads, decides and writes every sentence verdict.
Status redecideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx);

} // namespace rs
