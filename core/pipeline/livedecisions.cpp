#include "core/pipeline/livedecisions.h"

#include "core/extract/extractstage.h"
#include "core/extract/nearduplicates.h"
#include "core/sample/balancer.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QElapsedTimer>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <random>

namespace rs {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr quint8 kNotJudged = 255; // histogram rows an earlier filter removed

quint8 reasonCode(QStringList &names, const QString &reason)
{
    qsizetype i = names.indexOf(reason);
    if (i < 0) {
        names.append(reason);
        i = names.size() - 1;
    }
    return quint8(std::min<qsizetype>(i + 1, 255));
}

quint8 codeOf(const QStringList &names, const char *reason)
{
    return quint8(names.indexOf(QLatin1String(reason)) + 1);
}

QStringList sampleReasons()
{
    // The stage's reasons for what the preview can tell apart, plus images
    // the last sampling run did not cluster (no embedding, or out of its band).
    return {QStringLiteral("below_band"), QStringLiteral("above_band"), QStringLiteral("cluster_cap"),
            QStringLiteral("unclustered")};
}

// Map a group key to a dense id, -1 for keys seen once (filled in a second pass).
template <typename Key>
void denseGroups(const std::vector<Key> &keys, const std::vector<bool> &valid, std::vector<qint32> &out, qint32 &groups)
{
    QHash<Key, qint32> first; // key -> first row
    QHash<Key, qint32> ids;
    out.assign(keys.size(), -1);
    groups = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        if (!valid.empty() && !valid[i])
            continue;
        auto it = first.constFind(keys[i]);
        if (it == first.cend()) {
            first.insert(keys[i], qint32(i));
            continue;
        }
        auto g = ids.constFind(keys[i]);
        qint32 id;
        if (g == ids.cend()) {
            id = groups++;
            ids.insert(keys[i], id);
            out[*it] = id;
        } else {
            id = *g;
        }
        out[i] = id;
    }
}

// percentile() of balancer.h (same interpolation) in O(n) instead of a sort.
double selectPercentile(std::vector<double> &values, double fraction)
{
    const double pos = std::clamp(fraction, 0.0, 1.0) * double(values.size() - 1);
    const size_t lo = size_t(std::floor(pos));
    std::nth_element(values.begin(), values.begin() + qptrdiff(lo), values.end());
    const double a = values[lo];
    const double b = lo + 1 < values.size() ? *std::min_element(values.begin() + qptrdiff(lo) + 1, values.end()) : a;
    return a + (b - a) * (pos - double(lo));
}

double scoreTransform(double x, bool log) { return log ? std::log10(1.0 + std::max(0.0, x)) : x; }
double scoreInverse(double t, bool log) { return log ? std::pow(10.0, t) - 1.0 : t; }

} // namespace

QStringList LiveDecisions::liveKeys()
{
    return {QStringLiteral("extract.min_side"),        QStringLiteral("extract.max_aspect"),
            QStringLiteral("extract.max_pixels"),      QStringLiteral("extract.near_duplicates"),
            QStringLiteral("extract.min_words"),       QStringLiteral("extract.max_words"),
            QStringLiteral("extract.min_entropy"),     QStringLiteral("extract.drop_code"),
            QStringLiteral("extract.drop_nav"),        QStringLiteral("extract.drop_urls"),
            QStringLiteral("extract.drop_emails"),     QStringLiteral("extract.drop_emoji"),
            QStringLiteral("extract.dedup_sentences"), QStringLiteral("sample.band"),
            QStringLiteral("sample.min_similarity"),   QStringLiteral("sample.max_similarity"),
            QStringLiteral("sample.low_percentile"),   QStringLiteral("sample.high_percentile"),
            QStringLiteral("sample.method"),           QStringLiteral("sample.cap"),
            QStringLiteral("sample.t")};
}

LiveDecisions::Table LiveDecisions::tableOf(const QString &key)
{
    static const QStringList imageKeys = {QStringLiteral("extract.min_side"), QStringLiteral("extract.max_aspect"),
                                          QStringLiteral("extract.max_pixels"), QStringLiteral("extract.near_duplicates")};
    if (!liveKeys().contains(key))
        return Table::None;
    if (imageKeys.contains(key))
        return Table::Images;
    if (key.startsWith(QLatin1String("extract.")))
        return Table::Sentences;
    return Table::Sample;
}

QStringList LiveDecisions::reasonNames(Table table) const
{
    switch (table) {
    case Table::Images: return m_imageReasons;
    case Table::Sentences: return m_sentenceReasons;
    case Table::Sample: return sampleReasons();
    case Table::None: break;
    }
    return {};
}

qint64 LiveDecisions::rowOfImage(qint64 imageId) const
{
    auto it = std::lower_bound(m_images.id.begin(), m_images.id.end(), imageId);
    return (it != m_images.id.end() && *it == imageId) ? qint64(it - m_images.id.begin()) : -1;
}

Result<LiveDecisions> LiveDecisions::load(ProjectStore &store, const Recipe &recipe, const JobContext *ctx)
{
    LiveDecisions live;
    live.m_imageReasons = ExtractStage::imageReasons();
    live.m_sentenceReasons = ExtractStage::sentenceReasons();
    live.m_clipFamily = store.meta(QStringLiteral("embed.clip_family")) == QLatin1String("true");

    auto q = store.exec(QStringLiteral("SELECT i.id, i.refusal, i.failure, i.probed, i.width, i.height, i.sha256, i.phash,"
                                       " i.cluster, i.cluster_score, i.sampled, g.similarity, i.brisque"
                                       " FROM images i LEFT JOIN generations g ON g.image_id = i.id ORDER BY i.id"));
    if (!q)
        return q.error();
    ImageColumns &im = live.m_images;
    std::vector<QString> sha;
    std::vector<quint64> phash;
    while (q->next()) {
        im.id.push_back(q->value(0).toLongLong());
        const QString refusal = q->value(1).toString();
        const QString failure = q->value(2).toString();
        quint8 fixed = 0;
        if (!refusal.isEmpty())
            fixed = reasonCode(live.m_imageReasons, refusal);
        else if (!failure.isEmpty())
            fixed = reasonCode(live.m_imageReasons, failure);
        else if (q->value(3).toInt() == 0)
            fixed = reasonCode(live.m_imageReasons, QStringLiteral("unreadable")); // never probed
        im.fixedReason.push_back(fixed);
        im.width.push_back(q->value(4).toInt());
        im.height.push_back(q->value(5).toInt());
        sha.push_back(q->value(6).toString());
        phash.push_back(quint64(q->value(7).toLongLong()));
        im.cluster.push_back(q->value(8).isNull() ? -1 : q->value(8).toInt());
        im.clusterScore.push_back(q->value(9).isNull() ? kNaN : q->value(9).toFloat());
        im.sampled.push_back(q->value(10).isNull() ? qint8(-1) : qint8(q->value(10).toInt() != 0));
        im.similarity.push_back(q->value(11).isNull() ? kNaN : q->value(11).toFloat());
        im.brisque.push_back(q->value(12).isNull() ? -1.0f : q->value(12).toFloat());
        if (ctx && (im.id.size() % 65536) == 0) {
            if (ctx->isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
            ctx->progress(qint64(im.id.size()), 0, QStringLiteral("reading image scores"));
        }
    }
    std::vector<bool> decodable(im.id.size());
    for (size_t i = 0; i < decodable.size(); ++i)
        decodable[i] = im.fixedReason[i] == 0;
    denseGroups(sha, decodable, im.shaGroup, live.m_shaGroups);
    sha.clear();
    live.buildNearGroups(int(recipe.intValue(QStringLiteral("extract.phash_distance"))), phash);

    auto s = store.exec(QStringLiteral("SELECT id, kind, words, entropy, has_url, has_email, has_emoji, text, dedup_key"
                                       " FROM sentences ORDER BY id"));
    if (!s)
        return s.error();
    SentenceColumns &se = live.m_sentences;
    std::vector<size_t> textHash, keyHash;
    while (s->next()) {
        se.id.push_back(s->value(0).toLongLong());
        const QString kind = s->value(1).toString();
        se.kind.push_back(kind == QLatin1String("code") ? SentenceColumns::Code
                          : kind == QLatin1String("nav") ? SentenceColumns::Nav
                                                         : SentenceColumns::Text);
        se.words.push_back(s->value(2).toInt());
        se.entropy.push_back(s->value(3).toDouble());
        se.flags.push_back(quint8((s->value(4).toInt() ? SentenceColumns::Url : 0) | (s->value(5).toInt() ? SentenceColumns::Email : 0)
                                  | (s->value(6).toInt() ? SentenceColumns::Emoji : 0)));
        // 64-bit hashes stand in for the strings: a collision among a
        // million sentences has a probability near 1e-8.
        textHash.push_back(qHash(s->value(7).toString(), 0x5eedu));
        keyHash.push_back(qHash(s->value(8).toString(), 0x5eedu));
        if (ctx && (se.id.size() % 65536) == 0) {
            if (ctx->isCanceled())
                return makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
            ctx->progress(qint64(se.id.size()), 0, QStringLiteral("reading sentence scores"));
        }
    }
    denseGroups(textHash, {}, se.textGroup, live.m_textGroups);
    denseGroups(keyHash, {}, se.keyGroup, live.m_keyGroups);
    return live;
}

void LiveDecisions::buildNearGroups(int maxDistance, const std::vector<quint64> &phash)
{
    ImageColumns &im = m_images;
    im.nearGroup.assign(im.id.size(), -1);
    m_nearGroups = 0;
    // As the extract stage: only images of one aspect class are compared.
    QHash<int, QVector<qint32>> byAspect;
    for (size_t i = 0; i < im.id.size(); ++i)
        if (im.fixedReason[i] == 0)
            byAspect[nearDuplicateAspectClass(im.width[i], im.height[i])].push_back(qint32(i));
    for (const QVector<qint32> &rows : std::as_const(byAspect)) {
        if (rows.size() < 2)
            continue;
        QVector<quint64> hashes;
        QVector<qint64> quality;
        for (qint32 i : rows) {
            hashes.push_back(phash[i]);
            quality.push_back(qint64(im.width[i]) * im.height[i]);
        }
        const QVector<int> rep = groupNearDuplicates(hashes, maxDistance, quality);
        std::vector<qint32> groupOfRep(rep.size(), -1);
        std::vector<int> members(rep.size(), 0);
        for (int r : rep)
            ++members[r];
        for (int k = 0; k < rep.size(); ++k) {
            if (members[rep[k]] < 2)
                continue;
            if (groupOfRep[rep[k]] < 0)
                groupOfRep[rep[k]] = m_nearGroups++;
            im.nearGroup[rows[k]] = groupOfRep[rep[k]];
        }
    }
}

std::vector<quint8> LiveDecisions::decideImages(const Recipe &recipe) const
{
    const ImageColumns &im = m_images;
    const size_t n = im.id.size();
    const qint64 minSide = recipe.intValue(QStringLiteral("extract.min_side"));
    const double maxAspect = recipe.doubleValue(QStringLiteral("extract.max_aspect"));
    const qint64 maxPixels = recipe.intValue(QStringLiteral("extract.max_pixels"));
    const bool near = recipe.boolValue(QStringLiteral("extract.near_duplicates"));
    const quint8 cPixels = codeOf(m_imageReasons, "too_many_pixels");
    const quint8 cSmall = codeOf(m_imageReasons, "too_small");
    const quint8 cAspect = codeOf(m_imageReasons, "bad_aspect");
    const quint8 cQuality = codeOf(m_imageReasons, "low_quality");
    const double maxBrisque = recipe.doubleValue(QStringLiteral("extract.max_brisque"));
    const quint8 cExact = codeOf(m_imageReasons, "exact_duplicate");
    const quint8 cNear = codeOf(m_imageReasons, "near_duplicate");

    std::vector<quint8> codes(n, 0);
    std::vector<quint8> seenSha(size_t(m_shaGroups), 0);
    for (size_t i = 0; i < n; ++i) {
        if (im.fixedReason[i]) {
            codes[i] = im.fixedReason[i];
            continue;
        }
        const qint64 w = im.width[i], h = im.height[i];
        const qint64 shorter = std::min(w, h), longer = std::max(w, h);
        if (w * h > maxPixels)
            codes[i] = cPixels;
        else if (shorter < minSide)
            codes[i] = cSmall;
        else if (double(longer) / double(std::max<qint64>(1, shorter)) > maxAspect)
            codes[i] = cAspect;
        else if (maxBrisque > 0 && !im.brisque.empty() && double(im.brisque[i]) > maxBrisque)
            codes[i] = cQuality;
        else if (const qint32 g = im.shaGroup[i]; g >= 0) {
            if (seenSha[g])
                codes[i] = cExact;
            else
                seenSha[g] = 1;
        }
    }
    if (near && m_nearGroups > 0) {
        // Per group the surviving member with the most pixels keeps (ties:
        // lowest id), as groupNearDuplicates picks its representative.
        std::vector<qint32> best(size_t(m_nearGroups), -1);
        for (size_t i = 0; i < n; ++i) {
            const qint32 g = im.nearGroup[i];
            if (g < 0 || codes[i])
                continue;
            const qint32 b = best[g];
            if (b < 0 || qint64(im.width[i]) * im.height[i] > qint64(im.width[b]) * im.height[b])
                best[g] = qint32(i);
        }
        for (size_t i = 0; i < n; ++i) {
            const qint32 g = im.nearGroup[i];
            if (g >= 0 && !codes[i] && best[g] != qint32(i))
                codes[i] = cNear;
        }
    }
    return codes;
}

std::vector<quint8> LiveDecisions::decideSentences(const Recipe &recipe) const
{
    const SentenceColumns &se = m_sentences;
    const size_t n = se.id.size();
    const bool dropCode = recipe.boolValue(QStringLiteral("extract.drop_code"));
    const bool dropNav = recipe.boolValue(QStringLiteral("extract.drop_nav"));
    const quint8 flagMask = quint8((recipe.boolValue(QStringLiteral("extract.drop_urls")) ? SentenceColumns::Url : 0)
                                   | (recipe.boolValue(QStringLiteral("extract.drop_emails")) ? SentenceColumns::Email : 0)
                                   | (recipe.boolValue(QStringLiteral("extract.drop_emoji")) ? SentenceColumns::Emoji : 0));
    const qint64 minWords = recipe.intValue(QStringLiteral("extract.min_words"));
    const qint64 maxWords = recipe.intValue(QStringLiteral("extract.max_words"));
    const double minEntropy = recipe.doubleValue(QStringLiteral("extract.min_entropy"));
    const bool dedup = recipe.boolValue(QStringLiteral("extract.dedup_sentences"));
    const QStringList &r = m_sentenceReasons;
    const quint8 cCode = codeOf(r, "code_block"), cNav = codeOf(r, "navigation"), cUrl = codeOf(r, "has_url"),
                 cEmail = codeOf(r, "has_email"), cEmoji = codeOf(r, "has_emoji"), cFew = codeOf(r, "too_few_words"),
                 cMany = codeOf(r, "too_many_words"), cEntropy = codeOf(r, "low_entropy"),
                 cExact = codeOf(r, "exact_duplicate"), cNorm = codeOf(r, "normalized_duplicate");

    std::vector<quint8> codes(n, 0);
    std::vector<quint8> seenText(size_t(m_textGroups), 0), seenKey(size_t(m_keyGroups), 0);
    for (size_t i = 0; i < n; ++i) {
        const quint8 flags = se.flags[i] & flagMask;
        quint8 c = 0;
        if (dropCode && se.kind[i] == SentenceColumns::Code)
            c = cCode;
        else if (dropNav && se.kind[i] == SentenceColumns::Nav)
            c = cNav;
        else if (flags & SentenceColumns::Url)
            c = cUrl;
        else if (flags & SentenceColumns::Email)
            c = cEmail;
        else if (flags & SentenceColumns::Emoji)
            c = cEmoji;
        else if (se.words[i] < minWords)
            c = cFew;
        else if (se.words[i] > maxWords)
            c = cMany;
        else if (se.entropy[i] + 1e-9 < minEntropy) // same tolerance as the stage
            c = cEntropy;
        else if (dedup) {
            const qint32 t = se.textGroup[i], k = se.keyGroup[i];
            if (t >= 0 && seenText[t])
                c = cExact;
            else if (k >= 0 && seenKey[k])
                c = cNorm;
            else {
                if (t >= 0)
                    seenText[t] = 1;
                if (k >= 0)
                    seenKey[k] = 1;
            }
        }
        codes[i] = c;
    }
    return codes;
}

LiveDecisions::Counts LiveDecisions::count(Table table, const std::vector<quint8> &codes) const
{
    Counts c;
    c.byReason.assign(size_t(reasonNames(table).size()), 0);
    std::vector<qint64> perCode(256, 0);
    for (quint8 code : codes)
        ++perCode[code];
    c.total = qint64(codes.size());
    c.kept = perCode[0];
    for (size_t k = 0; k < c.byReason.size() && k < 255; ++k)
        c.byReason[k] = perCode[k + 1];
    return c;
}

struct LiveDecisions::ScoreBins {
    QString scoreName;
    bool logScale = false;
    std::vector<double> edges;
    std::vector<quint8> bin; // per row; kNoScore = not judged by this score
};

struct LiveDecisions::Cache {
    std::mutex mutex;
    QHash<QString, std::shared_ptr<const ScoreBins>> bins; // "score/bins"
    QString extractFingerprint;
    std::vector<quint8> extractCodes;
};

LiveDecisions::LiveDecisions() : m_cache(std::make_shared<Cache>()) {}

std::shared_ptr<const LiveDecisions::ScoreBins> LiveDecisions::scoreBins(const QString &score, int bins) const
{
    const QString cacheKey = score + QLatin1Char('/') + QString::number(bins);
    {
        std::lock_guard lock(m_cache->mutex);
        if (auto it = m_cache->bins.constFind(cacheKey); it != m_cache->bins.cend())
            return *it;
    }
    const ImageColumns &im = m_images;
    const SentenceColumns &se = m_sentences;
    auto out = std::make_shared<ScoreBins>();
    std::vector<double> values;
    if (score == QLatin1String("min_side")) {
        out->scoreName = QStringLiteral("shorter side (px)");
        out->logScale = true;
        values.resize(im.id.size());
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = im.fixedReason[i] ? NAN : double(std::min(im.width[i], im.height[i]));
    } else if (score == QLatin1String("aspect")) {
        out->scoreName = QStringLiteral("aspect ratio (long / short side)");
        out->logScale = true;
        values.resize(im.id.size());
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = im.fixedReason[i] ? NAN
                                          : double(std::max(im.width[i], im.height[i])) / std::max(1, std::min(im.width[i], im.height[i]));
    } else if (score == QLatin1String("pixels")) {
        out->scoreName = QStringLiteral("pixels");
        out->logScale = true;
        values.resize(im.id.size());
        for (size_t i = 0; i < values.size(); ++i)
            values[i] = im.fixedReason[i] ? NAN : double(im.width[i]) * im.height[i];
    } else if (score == QLatin1String("words")) {
        out->scoreName = QStringLiteral("words per sentence");
        out->logScale = true;
        values.assign(se.words.begin(), se.words.end());
    } else if (score == QLatin1String("entropy")) {
        out->scoreName = QStringLiteral("word entropy (bits)");
        values = se.entropy;
    } else if (score == QLatin1String("similarity")) {
        out->scoreName = QStringLiteral("image–synthetic similarity");
        values.assign(im.similarity.begin(), im.similarity.end());
    }
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (std::isnan(v))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    out->bin.assign(values.size(), kNotJudged);
    if (lo <= hi) {
        const double tlo = scoreTransform(lo, out->logScale);
        double thi = scoreTransform(hi, out->logScale);
        if (thi <= tlo)
            thi = tlo + 1;
        const double width = (thi - tlo) / bins;
        out->edges.resize(size_t(bins) + 1);
        for (int b = 0; b <= bins; ++b)
            out->edges[size_t(b)] = scoreInverse(tlo + b * width, out->logScale);
        for (size_t i = 0; i < values.size(); ++i)
            if (!std::isnan(values[i]))
                out->bin[i] = quint8(std::clamp(int((scoreTransform(values[i], out->logScale) - tlo) / width), 0, bins - 1));
    }
    std::lock_guard lock(m_cache->mutex);
    m_cache->bins.insert(cacheKey, out);
    return out;
}

std::vector<quint8> LiveDecisions::extractCodesCached(const Recipe &recipe) const
{
    const QString fp = recipe.fingerprint({QStringLiteral("extract.")});
    {
        std::lock_guard lock(m_cache->mutex);
        if (m_cache->extractFingerprint == fp && m_cache->extractCodes.size() == m_images.id.size())
            return m_cache->extractCodes;
    }
    std::vector<quint8> codes = decideImages(recipe);
    std::lock_guard lock(m_cache->mutex);
    m_cache->extractFingerprint = fp;
    m_cache->extractCodes = codes;
    return codes;
}

LiveDecisions::Histogram LiveDecisions::histogram(const QString &key, const Recipe &recipe, const std::vector<quint8> &codes,
                                                  int bins) const
{
    Histogram h;
    h.key = key;
    bins = std::clamp(bins, 1, 254);
    const SettingDef *def = Recipe::find(key);
    if (!def || (def->kind != SettingDef::Kind::Int && def->kind != SettingDef::Kind::Double))
        return h;
    h.threshold = recipe.doubleValue(key);
    QString score;
    if (key == QLatin1String("extract.min_side"))
        score = QStringLiteral("min_side");
    else if (key == QLatin1String("extract.max_aspect"))
        score = QStringLiteral("aspect");
    else if (key == QLatin1String("extract.max_pixels"))
        score = QStringLiteral("pixels");
    else if (key == QLatin1String("extract.min_words") || key == QLatin1String("extract.max_words"))
        score = QStringLiteral("words");
    else if (key == QLatin1String("extract.min_entropy"))
        score = QStringLiteral("entropy");
    else if (key.startsWith(QLatin1String("sample.")) && (key.contains(QLatin1String("similarity")) || key.contains(QLatin1String("percentile"))))
        score = QStringLiteral("similarity");
    else
        return h;

    const std::shared_ptr<const ScoreBins> sb = scoreBins(score, bins);
    h.scoreName = sb->scoreName;
    h.logScale = sb->logScale;
    if (sb->edges.empty()) {
        h.edges = {0.0, 1.0};
        h.kept.assign(1, 0);
        h.dropped.assign(1, 0);
        return h;
    }
    h.edges = sb->edges;
    // Integer counting in one pass over two byte arrays.
    std::vector<qint64> kept(size_t(bins) + 1, 0), dropped(size_t(bins) + 1, 0);
    const size_t n = sb->bin.size();
    const bool coded = codes.size() == n;
    const quint8 *bin = sb->bin.data();
    for (size_t i = 0; i < n; ++i) {
        const quint8 b = bin[i];
        if (b == kNotJudged)
            continue;
        if (!coded || codes[i] == 0)
            ++kept[b];
        else if (codes[i] != kNotJudged)
            ++dropped[b];
    }
    h.kept.assign(kept.begin(), kept.begin() + bins);
    h.dropped.assign(dropped.begin(), dropped.begin() + bins);
    return h;
}

LiveDecisions::Outcome LiveDecisions::decide(const Recipe &recipe, const QString &key, int bins) const
{
    QElapsedTimer timer;
    timer.start();
    Outcome out;
    out.table = tableOf(key);
    if (out.table == Table::Sample) {
        out = decideSample(recipe, key, bins);
    } else if (out.table != Table::None) {
        out.codes = out.table == Table::Images ? decideImages(recipe) : decideSentences(recipe);
        out.counts = count(out.table, out.codes);
        out.histogram = histogram(key, recipe, out.codes, bins);
    }
    out.elapsedMs = timer.nsecsElapsed() / 1e6;
    return out;
}

LiveDecisions::Outcome LiveDecisions::decideSample(const Recipe &recipe, const QString &key, int bins) const
{
    Outcome out;
    out.table = Table::Sample;
    const ImageColumns &im = m_images;
    const std::vector<quint8> extract = extractCodesCached(recipe);
    const QStringList reasons = sampleReasons();
    out.counts.byReason.assign(size_t(reasons.size()), 0);

    QString band = recipe.text(QStringLiteral("sample.band"));
    if (band == QLatin1String("auto"))
        band = m_clipFamily ? QStringLiteral("absolute") : QStringLiteral("percentile");
    double low = -std::numeric_limits<double>::infinity(), high = -low;
    if (band == QLatin1String("absolute")) {
        low = recipe.doubleValue(QStringLiteral("sample.min_similarity"));
        high = recipe.doubleValue(QStringLiteral("sample.max_similarity"));
    } else if (band == QLatin1String("percentile")) {
        std::vector<double> values;
        for (size_t i = 0; i < im.id.size(); ++i)
            if (!extract[i] && !std::isnan(im.similarity[i]))
                values.push_back(im.similarity[i]);
        if (!values.empty()) {
            low = selectPercentile(values, recipe.doubleValue(QStringLiteral("sample.low_percentile")) / 100.0);
            high = selectPercentile(values, 1.0 - recipe.doubleValue(QStringLiteral("sample.high_percentile")) / 100.0);
        }
    }

    std::vector<qint64> sizes;
    std::vector<quint8> bandCode(im.id.size(), 0);
    for (size_t i = 0; i < im.id.size(); ++i) {
        if (extract[i])
            continue;
        ++out.counts.total;
        const float s = im.similarity[i];
        if (!std::isnan(s) && s < low)
            bandCode[i] = 1;
        else if (!std::isnan(s) && s > high)
            bandCode[i] = 2;
        else if (im.cluster[i] < 0)
            bandCode[i] = 4;
        else {
            if (size_t(im.cluster[i]) >= sizes.size())
                sizes.resize(size_t(im.cluster[i]) + 1, 0);
            ++sizes[size_t(im.cluster[i])];
            continue;
        }
        ++out.counts.byReason[bandCode[i] - 1];
    }
    const bool metaclip = recipe.text(QStringLiteral("sample.method")) == QLatin1String("metaclip");
    const double cap = metaclip ? recipe.doubleValue(QStringLiteral("sample.t")) : double(recipe.intValue(QStringLiteral("sample.cap")));
    double kept = 0;
    qint64 clustered = 0;
    for (qint64 n : sizes) {
        kept += std::min<double>(double(n), cap);
        clustered += n;
    }
    out.counts.kept = qint64(std::llround(kept));
    out.counts.byReason[2] = clustered - out.counts.kept;

    Histogram &h = out.histogram;
    h.key = key;
    if (key == QLatin1String("sample.cap") || key == QLatin1String("sample.t")) {
        h.scoreName = QStringLiteral("cluster size (images)");
        h.logScale = true;
        h.threshold = cap;
        qint64 largest = 1;
        for (qint64 n : sizes)
            largest = std::max(largest, n);
        const double thi = scoreTransform(double(largest), true);
        bins = std::max(1, bins);
        h.edges.resize(size_t(bins) + 1);
        for (int b = 0; b <= bins; ++b)
            h.edges[size_t(b)] = scoreInverse(thi * b / bins, true);
        h.kept.assign(size_t(bins), 0);
        h.dropped.assign(size_t(bins), 0);
        for (qint64 n : sizes) {
            if (n == 0)
                continue;
            const int b = std::clamp(int(scoreTransform(double(n), true) / thi * bins), 0, bins - 1);
            (double(n) > cap ? h.dropped : h.kept)[size_t(b)] += 1; // clusters the cap trims
        }
    } else {
        std::vector<quint8> codes(im.id.size(), 0);
        for (size_t i = 0; i < im.id.size(); ++i)
            codes[i] = extract[i] ? kNotJudged : bandCode[i];
        h = histogram(key, recipe, codes, bins);
        if (band == QLatin1String("percentile"))
            h.threshold = key.contains(QLatin1String("min")) || key.contains(QLatin1String("low")) ? low : high;
    }
    return out;
}

LiveDecisions LiveDecisions::synthetic(qint64 images, qint64 sentences, quint64 seed)
{
    LiveDecisions live;
    live.m_imageReasons = ExtractStage::imageReasons();
    live.m_sentenceReasons = ExtractStage::sentenceReasons();
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);

    ImageColumns &im = live.m_images;
    const size_t n = size_t(std::max<qint64>(0, images));
    im.id.resize(n);
    im.width.resize(n);
    im.height.resize(n);
    im.fixedReason.assign(n, 0);
    im.shaGroup.assign(n, -1);
    im.nearGroup.assign(n, -1);
    im.similarity.resize(n);
    im.cluster.resize(n);
    im.clusterScore.resize(n);
    im.sampled.assign(n, -1);
    const quint8 fixedCodes[] = {codeOf(live.m_imageReasons, "not_local"), codeOf(live.m_imageReasons, "missing_file"),
                                 codeOf(live.m_imageReasons, "decode_failed")};
    // Zipf-sized clusters, as web images are (a few huge topics, a long tail).
    const int clusters = std::max(1, int(std::sqrt(double(n))));
    std::vector<double> cdf(static_cast<size_t>(clusters));
    double acc = 0;
    for (int c = 0; c < clusters; ++c)
        cdf[size_t(c)] = (acc += 1.0 / (c + 1));
    for (size_t i = 0; i < n; ++i) {
        im.id[i] = qint64(i) + 1;
        const double side = std::exp(std::log(20.0) + uni(rng) * (std::log(4000.0) - std::log(20.0)));
        const double aspect = std::exp(0.45 * normal(rng));
        im.width[i] = std::max(1, int(side));
        im.height[i] = std::max(1, int(side * aspect));
        if (uni(rng) < 0.03)
            im.fixedReason[i] = fixedCodes[i % 3];
        const double r = uni(rng);
        if (i > 0 && r < 0.04) { // exact copy of an earlier image
            const size_t j = size_t(uni(rng) * double(i));
            if (im.shaGroup[j] < 0)
                im.shaGroup[j] = live.m_shaGroups++;
            im.shaGroup[i] = im.shaGroup[j];
            im.width[i] = im.width[j];
            im.height[i] = im.height[j];
        } else if (i > 0 && r < 0.09) { // resized or re-encoded copy
            const size_t j = size_t(uni(rng) * double(i));
            if (im.nearGroup[j] < 0)
                im.nearGroup[j] = live.m_nearGroups++;
            im.nearGroup[i] = im.nearGroup[j];
        }
        im.similarity[i] = float(0.3 + 0.08 * normal(rng));
        const auto c = std::upper_bound(cdf.begin(), cdf.end(), uni(rng) * acc) - cdf.begin();
        im.cluster[i] = uni(rng) < 0.95 ? qint32(std::min<qint64>(c, clusters - 1)) : -1;
        im.clusterScore[i] = float(uni(rng));
    }

    SentenceColumns &se = live.m_sentences;
    const size_t m = size_t(std::max<qint64>(0, sentences));
    se.id.resize(m);
    se.kind.assign(m, SentenceColumns::Text);
    se.words.resize(m);
    se.entropy.resize(m);
    se.flags.assign(m, 0);
    se.textGroup.assign(m, -1);
    se.keyGroup.assign(m, -1);
    for (size_t i = 0; i < m; ++i) {
        se.id[i] = qint64(i) + 1;
        const double k = uni(rng);
        se.kind[i] = k < 0.03 ? SentenceColumns::Code : k < 0.08 ? SentenceColumns::Nav : SentenceColumns::Text;
        se.words[i] = std::max(0, int(std::exp(2.5 + 0.9 * normal(rng))));
        se.entropy[i] = se.words[i] > 1 ? std::log2(double(se.words[i])) * (0.6 + 0.4 * uni(rng)) : 0.0;
        const double f = uni(rng);
        se.flags[i] = f < 0.03 ? SentenceColumns::Url : f < 0.04 ? SentenceColumns::Email : f < 0.05 ? SentenceColumns::Emoji : 0;
        const double d = uni(rng);
        if (i > 0 && d < 0.08) {
            const size_t j = size_t(uni(rng) * double(i));
            if (d < 0.06) { // the same text
                if (se.textGroup[j] < 0)
                    se.textGroup[j] = live.m_textGroups++;
                se.textGroup[i] = se.textGroup[j];
            }
            if (se.keyGroup[j] < 0)
                se.keyGroup[j] = live.m_keyGroups++;
            se.keyGroup[i] = se.keyGroup[j];
        }
    }
    return live;
}

} // namespace rs
