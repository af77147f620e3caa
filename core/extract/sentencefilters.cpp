#include "core/extract/sentencefilters.h"

#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rs {

namespace {

// Texts as the store holds them (UTF-8), end to end in one buffer: equal
// bytes are equal texts, and grouping bytes spares a QString per sentence
// (reading 47k of them as UTF-16 was most of the cost of loading).
class StoredTexts {
public:
    void append(QByteArrayView text)
    {
        m_bytes.append(text.data(), size_t(text.size()));
        m_ends.push_back(m_bytes.size());
    }
    size_t size() const { return m_ends.size(); }
    std::string_view operator[](size_t i) const
    {
        const size_t begin = i ? m_ends[i - 1] : 0;
        return std::string_view(m_bytes).substr(begin, m_ends[i] - begin);
    }

private:
    std::string m_bytes;
    std::vector<size_t> m_ends;
};

// Dense group ids for values seen more than once, numbered in the order of
// their second occurrence; -1 for unique ones.
void denseGroups(const StoredTexts &values, std::vector<qint32> &out, qint32 &groups)
{
    struct Seen {
        qint32 first = -1; // index of the first occurrence
        qint32 group = -1; // once seen twice
    };
    std::unordered_map<std::string_view, Seen> seen;
    seen.reserve(values.size());
    out.assign(values.size(), -1);
    groups = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        auto [it, inserted] = seen.try_emplace(values[i], Seen{qint32(i), -1});
        if (inserted)
            continue;
        Seen &s = it->second;
        if (s.group < 0) {
            s.group = groups++;
            out[size_t(s.first)] = s.group;
        }
        out[i] = s.group;
    }
}

} // namespace

SentenceFilterSettings SentenceFilterSettings::fromRecipe(const Recipe &recipe)
{
    SentenceFilterSettings s;
    readSettings(recipe, s);
    return s;
}

QStringList SentenceFilterSettings::recipeKeys(bool liveOnly)
{
    return settingKeysOf<SentenceFilterSettings>(liveOnly);
}

SentenceVerdictColumns decideSentenceFilters(const SentenceFilterInputs &in, const SentenceFilterSettings &s)
{
    const size_t n = in.id.size();
    const QStringList r = reasonCodes(ReasonTable::Sentences);
    auto code = [&](const char *reason) { return quint8(r.indexOf(QLatin1String(reason)) + 1); };
    const quint8 cCode = code("code_block"), cNav = code("navigation"), cUrl = code("has_url"), cEmail = code("has_email"),
                 cEmoji = code("has_emoji"), cFew = code("too_few_words"), cMany = code("too_many_words"),
                 cEntropy = code("low_entropy"), cExact = code("exact_duplicate"), cNorm = code("normalized_duplicate");
    const quint8 flagMask = quint8((s.dropUrls ? SentenceFilterInputs::Url : 0) | (s.dropEmails ? SentenceFilterInputs::Email : 0)
                                   | (s.dropEmoji ? SentenceFilterInputs::Emoji : 0));
    SentenceVerdictColumns out;
    out.code.assign(n, 0);
    out.duplicateOf.assign(n, -1);
    std::vector<qint32> firstText(size_t(in.textGroups), -1), firstKey(size_t(in.keyGroups), -1);
    for (size_t i = 0; i < n; ++i) {
        const quint8 flags = in.flags[i] & flagMask;
        quint8 c = 0;
        if (s.dropCode && in.kind[i] == SentenceFilterInputs::Code)
            c = cCode;
        else if (s.dropNav && in.kind[i] == SentenceFilterInputs::Nav)
            c = cNav;
        else if (flags & SentenceFilterInputs::Url)
            c = cUrl;
        else if (flags & SentenceFilterInputs::Email)
            c = cEmail;
        else if (flags & SentenceFilterInputs::Emoji)
            c = cEmoji;
        else if (in.words[i] < s.minWords)
            c = cFew;
        else if (in.words[i] > s.maxWords)
            c = cMany;
        // Entropy is compared at stored precision: float noise must not flip
        // a sentence sitting exactly on the threshold.
        else if (in.entropy[i] + 1e-9 < s.minEntropy)
            c = cEntropy;
        else if (s.dedup) {
            const qint32 t = in.textGroup[i], k = in.keyGroup[i];
            if (t >= 0 && firstText[size_t(t)] >= 0) {
                c = cExact;
                out.duplicateOf[i] = firstText[size_t(t)];
            } else if (k >= 0 && firstKey[size_t(k)] >= 0) {
                c = cNorm;
                out.duplicateOf[i] = firstKey[size_t(k)];
            } else {
                if (t >= 0)
                    firstText[size_t(t)] = qint32(i);
                if (k >= 0)
                    firstKey[size_t(k)] = qint32(i);
            }
        }
        out.code[i] = c;
    }
    return out;
}

Result<SentenceFilterInputs> loadSentenceFilterInputs(ProjectStore &store, const JobContext *ctx, StoredVerdicts *stored)
{
    // Read natively: the studio's threshold panel loads every sentence
    // through here, and QVariant per column was most of the cost.
    auto q = NativeStatement::prepare(store, stored ? "SELECT id, kind, words, entropy, has_url, has_email, has_emoji, text, dedup_key,"
                                                      " reject_reason, duplicate_of FROM sentences ORDER BY id"
                                                    : "SELECT id, kind, words, entropy, has_url, has_email, has_emoji, text, dedup_key"
                                                      " FROM sentences ORDER BY id");
    if (!q)
        return q.error();
    SentenceFilterInputs in;
    StoredTexts texts, keys;
    const Status read = q->forEachRow([&]() -> Status {
        in.id.push_back(q->int64(0));
        const QByteArrayView kind = q->utf8(1);
        in.kind.push_back(kind == "code" ? SentenceFilterInputs::Code
                          : kind == "nav" ? SentenceFilterInputs::Nav
                                          : SentenceFilterInputs::Text);
        in.words.push_back(int(q->int64(2)));
        in.entropy.push_back(q->real(3));
        in.flags.push_back(quint8((q->int64(4) ? SentenceFilterInputs::Url : 0) | (q->int64(5) ? SentenceFilterInputs::Email : 0)
                                  | (q->int64(6) ? SentenceFilterInputs::Emoji : 0)));
        texts.append(q->utf8(7));
        keys.append(q->utf8(8));
        if (stored)
            stored->add(in.id.back(), q->utf8(9), q->int64(10));
        if (ctx && (in.id.size() % 65536) == 0) {
            if (ctx->isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
            ctx->progress(qint64(in.id.size()), 0, QStringLiteral("reading sentence scores"));
        }
        return {};
    });
    if (!read)
        return read.error();
    denseGroups(texts, in.textGroup, in.textGroups);
    texts = {};
    denseGroups(keys, in.keyGroup, in.keyGroups);
    return in;
}

Status redecideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    StoredVerdicts stored;
    auto in = loadSentenceFilterInputs(store, &ctx, &stored);
    if (!in)
        return in.error();
    const SentenceVerdictColumns v = decideSentenceFilters(*in, SentenceFilterSettings::fromRecipe(recipe));
    const QStringList reasons = reasonCodes(ReasonTable::Sentences);
    QVector<Verdict> verdicts;
    verdicts.reserve(qsizetype(in->id.size()));
    for (size_t i = 0; i < in->id.size(); ++i)
        verdicts.push_back({in->id[i], v.code[i] ? reasons.value(v.code[i] - 1) : QString(),
                            v.duplicateOf[i] >= 0 ? in->id[size_t(v.duplicateOf[i])] : 0});
    if (Status s = writeVerdicts(store, VerdictTable::Sentences, verdicts, stored.rows); !s)
        return s;
    ctx.progress(qint64(verdicts.size()), qint64(verdicts.size()), QStringLiteral("deciding sentences"));
    return {};
}

} // namespace rs
