#include "core/extract/sentencefilters.h"

#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/recipe.h"
#include "core/store/verdicts.h"

#include <QHashFunctions>

#include <algorithm>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace rs {

namespace {

// Every sentence's text (or dedup key) while the sentences are grouped, as
// the store holds it (UTF-8): equal bytes are equal texts, and grouping bytes
// spares a QString per sentence (reading 47k of them as UTF-16 was most of
// the cost of loading). The bytes go into blocks that are filled and never
// moved: a growing std::string touched about twice its final size in fresh
// pages, and a fresh page is the dearest thing in this pass on the
// project's VMs (core/util/batchmalloc.h). A text longer than a block gets
// a block of its own.
class StoredTexts {
public:
    explicit StoredTexts(size_t expected) { m_views.reserve(expected); }

    void append(QByteArrayView text)
    {
        const size_t n = size_t(text.size());
        if (n > m_capacity - m_used) {
            m_capacity = std::max(n, kBlock);
            m_blocks.push_back(std::make_unique<char[]>(m_capacity));
            m_used = 0;
        }
        char *at = m_blocks.back().get() + m_used;
        std::memcpy(at, text.data(), n);
        m_used += n;
        m_views.emplace_back(at, n);
    }
    size_t size() const { return m_views.size(); }
    std::string_view operator[](size_t i) const { return m_views[i]; }

private:
    static constexpr size_t kBlock = 256 << 10;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    size_t m_capacity = 0, m_used = 0; // of the last block
    std::vector<std::string_view> m_views;
};

// 64-bit hashes to a value each, in an open-addressing table: a
// std::unordered_map node per distinct text cost a malloc each. Grouping
// texts (below) and ingest's first survivors (SentenceVerdictStream) both
// look up through it.
class HashedSlots {
public:
    explicit HashedSlots(size_t expected = 0) { rehash(expected * 2); }

    // The value of the first slot with `hash` whose value satisfies
    // `same`; a new slot holding `fresh` when there is none.
    template <class Same>
    qint64 &find(quint64 hash, qint64 fresh, Same &&same)
    {
        if ((m_used + 1) * 2 > m_slots.size())
            rehash(m_slots.size() * 2);
        const size_t mask = m_slots.size() - 1;
        for (size_t at = hash & mask;; at = (at + 1) & mask) {
            Slot &slot = m_slots[at];
            if (slot.value == kEmpty) {
                ++m_used;
                slot = {hash, fresh};
                return slot.value;
            }
            if (slot.hash == hash && same(slot.value))
                return slot.value;
        }
    }

private:
    static constexpr qint64 kEmpty = std::numeric_limits<qint64>::min();
    struct Slot {
        quint64 hash = 0;
        qint64 value = kEmpty;
    };

    void rehash(size_t atLeast)
    {
        size_t capacity = 4096;
        while (capacity < atLeast)
            capacity *= 2;
        std::vector<Slot> old(capacity);
        old.swap(m_slots);
        const size_t mask = m_slots.size() - 1;
        for (const Slot &slot : old)
            if (slot.value != kEmpty) {
                size_t at = slot.hash & mask;
                while (m_slots[at].value != kEmpty)
                    at = (at + 1) & mask;
                m_slots[at] = slot;
            }
    }

    std::vector<Slot> m_slots;
    size_t m_used = 0;
};

quint64 hashOf(QByteArrayView bytes) { return quint64(qHash(bytes, 0)); }

// Dense group ids for values seen more than once, numbered in the order of
// their second occurrence; -1 for unique ones.
void denseGroups(const StoredTexts &values, std::vector<qint32> &out, qint32 &groups)
{
    HashedSlots firstOf(values.size());
    out.assign(values.size(), -1);
    groups = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        const std::string_view value = values[i];
        const qint64 first = firstOf.find(hashOf(QByteArrayView(value.data(), qsizetype(value.size()))), qint64(i),
                                          [&](qint64 seen) { return values[size_t(seen)] == value; });
        if (first == qint64(i))
            continue;
        if (out[size_t(first)] < 0)
            out[size_t(first)] = groups++;
        out[i] = out[size_t(first)];
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

SentenceRules::SentenceRules(const SentenceFilterSettings &settings)
    : m_s(settings)
{
    const QStringList r = reasonCodes(ReasonTable::Sentences);
    auto code = [&](const char *reason) { return quint8(r.indexOf(QLatin1String(reason)) + 1); };
    m_code = code("code_block");
    m_nav = code("navigation");
    m_url = code("has_url");
    m_email = code("has_email");
    m_emoji = code("has_emoji");
    m_few = code("too_few_words");
    m_many = code("too_many_words");
    m_entropy = code("low_entropy");
    m_exact = code("exact_duplicate");
    m_normalized = code("normalized_duplicate");
    m_flagMask = quint8((m_s.dropUrls ? SentenceFilterInputs::Url : 0) | (m_s.dropEmails ? SentenceFilterInputs::Email : 0)
                        | (m_s.dropEmoji ? SentenceFilterInputs::Emoji : 0));
}

quint8 SentenceRules::decide(const SentenceFacts &f, qint64 self, qint64 *firstText, qint64 *firstKey, qint64 &duplicateOf) const
{
    const quint8 flags = f.flags & m_flagMask;
    if (m_s.dropCode && f.kind == SentenceFilterInputs::Code)
        return m_code;
    if (m_s.dropNav && f.kind == SentenceFilterInputs::Nav)
        return m_nav;
    if (flags & SentenceFilterInputs::Url)
        return m_url;
    if (flags & SentenceFilterInputs::Email)
        return m_email;
    if (flags & SentenceFilterInputs::Emoji)
        return m_emoji;
    if (f.words < m_s.minWords)
        return m_few;
    if (f.words > m_s.maxWords)
        return m_many;
    // Entropy is compared at stored precision: float noise must not flip a
    // sentence sitting exactly on the threshold.
    if (f.entropy + 1e-9 < m_s.minEntropy)
        return m_entropy;
    if (!m_s.dedup)
        return 0;
    if (firstText && *firstText >= 0) {
        duplicateOf = *firstText;
        return m_exact;
    }
    if (firstKey && *firstKey >= 0) {
        duplicateOf = *firstKey;
        return m_normalized;
    }
    if (firstText)
        *firstText = self;
    if (firstKey)
        *firstKey = self;
    return 0;
}

SentenceVerdictColumns decideSentenceFilters(const SentenceFilterInputs &in, const SentenceFilterSettings &s)
{
    const size_t n = in.id.size();
    const SentenceRules rules(s);
    SentenceVerdictColumns out;
    out.code.assign(n, 0);
    out.duplicateOf.assign(n, -1);
    // Rows stand for sentences here; a text or key no other sentence shares
    // has no group, and so nothing to note.
    std::vector<qint64> firstText(size_t(in.textGroups), -1), firstKey(size_t(in.keyGroups), -1);
    for (size_t i = 0; i < n; ++i) {
        const qint32 t = in.textGroup[i], k = in.keyGroup[i];
        qint64 duplicateOf = -1;
        out.code[i] = rules.decide(SentenceFacts{in.kind[i], in.words[i], in.entropy[i], in.flags[i]}, qint64(i),
                                   t >= 0 ? &firstText[size_t(t)] : nullptr, k >= 0 ? &firstKey[size_t(k)] : nullptr,
                                   duplicateOf);
        out.duplicateOf[i] = qint32(duplicateOf);
    }
    return out;
}

// Texts to the first surviving sentence with each (-1: none yet), found by a
// 64-bit hash of their bytes and then told apart by the bytes themselves, as
// extract's pass tells them apart: the verdicts the stream writes are then
// the pass's exactly, and extract need not decide again (see
// sentenceVerdictsCurrent). Each distinct text is kept once.
class SentenceVerdictStream::FirstSurvivors {
public:
    qint64 &slot(QByteArrayView bytes)
    {
        const std::string_view text(bytes.data(), size_t(bytes.size()));
        const qint64 fresh = qint64(m_firsts.size());
        const qint64 at = m_slots.find(hashOf(bytes), fresh, [&](qint64 seen) { return m_texts[size_t(seen)] == text; });
        if (at == fresh) {
            m_texts.append(bytes);
            m_firsts.push_back(-1);
        }
        return m_firsts[size_t(at)];
    }

private:
    HashedSlots m_slots;
    StoredTexts m_texts{0};
    std::deque<qint64> m_firsts; // by first occurrence; a deque, so that a slot handed out stays put
};

SentenceVerdictStream::SentenceVerdictStream(const SentenceFilterSettings &settings)
    : m_rules(settings)
    , m_reasonNames(reasonCodes(ReasonTable::Sentences))
    , m_texts(std::make_unique<FirstSurvivors>())
    , m_keys(std::make_unique<FirstSurvivors>())
{
    for (const QString &reason : std::as_const(m_reasonNames))
        m_reasons.push_back(reason.toUtf8());
}

SentenceVerdictStream::~SentenceVerdictStream() = default;

SentenceVerdictStream::Verdict SentenceVerdictStream::decide(qint64 id, const SentenceFacts &facts, QByteArrayView text,
                                                             QByteArrayView dedupKey)
{
    qint64 duplicateOf = 0;
    const quint8 code = m_rules.decide(facts, id, &m_texts->slot(text), &m_keys->slot(dedupKey), duplicateOf);
    if (!code)
        return {};
    m_refused.push_back({id, m_reasonNames.at(code - 1), duplicateOf});
    return {QByteArrayView(m_reasons.at(code - 1)), duplicateOf};
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
    // Every column sized once: grown by doubling, they touched twice the
    // memory (see StoredTexts).
    auto count = store.scalar(QStringLiteral("SELECT count(*) FROM sentences"));
    if (!count)
        return count.error();
    const size_t expected = size_t(std::max<qint64>(0, count->toLongLong()));
    SentenceFilterInputs in;
    in.id.reserve(expected);
    in.kind.reserve(expected);
    in.words.reserve(expected);
    in.entropy.reserve(expected);
    in.flags.reserve(expected);
    if (stored)
        stored->rows.reserve(qsizetype(expected));
    StoredTexts texts(expected), keys(expected);
    const Status read = q->forEachRow([&]() -> Status {
        in.id.push_back(q->int64(0));
        in.kind.push_back(SentenceFilterInputs::kindOf(q->utf8(1)));
        in.words.push_back(int(q->int64(2)));
        in.entropy.push_back(q->real(3));
        in.flags.push_back(SentenceFilterInputs::flagsOf(q->int64(4), q->int64(5), q->int64(6)));
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
    texts = StoredTexts(0); // its memory serves the keys' table
    denseGroups(keys, in.keyGroup, in.keyGroups);
    return in;
}

namespace {

// Bump when SentenceRules decides differently, so that verdicts an older
// build recorded as current are decided again.
constexpr int kSentenceRulesRevision = 1;

// What the stored verdicts are decided from, in words: the rules, every
// setting they read, and the sentences in the table (count and largest id:
// sentences are only ever added).
struct DecidedFrom {
    QString words;
    qint64 sentences = 0;
};

Result<DecidedFrom> sentencesDecidedFrom(ProjectStore &store, const SentenceFilterSettings &settings)
{
    auto rows = store.exec(QStringLiteral("SELECT count(*), coalesce(max(id), 0) FROM sentences"));
    if (!rows)
        return rows.error();
    if (!rows->next())
        return makeError(ErrorCode::Internal, QStringLiteral("counting sentences gave no row"));
    QString out = QStringLiteral("rules %1; ").arg(kSentenceRulesRevision);
    SentenceFilterSettings s = settings;
    s.fields([&out](const auto &value, const char *key) {
        using T = std::decay_t<decltype(value)>;
        out += QLatin1String(key) + QLatin1Char('=');
        if constexpr (std::is_same_v<T, bool>)
            out += value ? QLatin1Char('1') : QLatin1Char('0');
        else if constexpr (std::is_floating_point_v<T>)
            out += QString::number(value, 'g', 17);
        else
            out += QString::number(value);
        out += QStringLiteral("; ");
    });
    const qint64 count = rows->value(0).toLongLong();
    return DecidedFrom{out + QStringLiteral("sentences %1 to id %2").arg(count).arg(rows->value(1).toLongLong()), count};
}

// The same, and whether it is what the stored verdicts were decided from.
Result<std::pair<bool, DecidedFrom>> compareDecidedFrom(ProjectStore &store, const SentenceFilterSettings &settings)
{
    auto now = sentencesDecidedFrom(store, settings);
    if (!now)
        return now.error();
    const QString recorded = verdictsDecidedFrom(store, VerdictTable::Sentences);
    return std::pair{!recorded.isEmpty() && recorded == now->words, *now};
}

} // namespace

Result<bool> sentenceVerdictsCurrent(ProjectStore &store, const SentenceFilterSettings &settings)
{
    auto current = compareDecidedFrom(store, settings);
    if (!current)
        return current.error();
    return current->first;
}

Status recordSentenceVerdictsCurrent(ProjectStore &store, const SentenceFilterSettings &settings)
{
    auto now = sentencesDecidedFrom(store, settings);
    if (!now)
        return now.error();
    return recordVerdictsDecidedFrom(store, VerdictTable::Sentences, now->words);
}

Status redecideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    const SentenceFilterSettings settings = SentenceFilterSettings::fromRecipe(recipe);
    auto current = compareDecidedFrom(store, settings);
    if (!current)
        return current.error();
    if (current->first) {
        // Ingest's verdict stream, or the last pass, decided them all as
        // these settings do. Said as the pass says it: a run shows the same.
        const qint64 n = current->second.sentences;
        ctx.progress(n, n, QStringLiteral("deciding sentences"));
        return {};
    }
    StoredVerdicts stored;
    auto in = loadSentenceFilterInputs(store, &ctx, &stored);
    if (!in)
        return in.error();
    const SentenceVerdictColumns v = decideSentenceFilters(*in, settings);
    const QStringList reasons = reasonCodes(ReasonTable::Sentences);
    QVector<Verdict> verdicts;
    verdicts.reserve(qsizetype(in->id.size()));
    for (size_t i = 0; i < in->id.size(); ++i)
        verdicts.push_back({in->id[i], v.code[i] ? reasons.value(v.code[i] - 1) : QString(),
                            v.duplicateOf[i] >= 0 ? in->id[size_t(v.duplicateOf[i])] : 0});
    if (Status s = writeVerdicts(store, VerdictTable::Sentences, verdicts, stored.rows); !s)
        return s;
    ctx.progress(qint64(verdicts.size()), qint64(verdicts.size()), QStringLiteral("deciding sentences"));
    return recordSentenceVerdictsCurrent(store, settings);
}

} // namespace rs
