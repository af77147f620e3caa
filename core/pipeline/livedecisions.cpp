#include "core/pipeline/livedecisions.h"

#include "core/store/reasons.h"
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

quint8 codeOf(const QStringList &names, const char *reason)
{
    return quint8(names.indexOf(QLatin1String(reason)) + 1);
}

double scoreTransform(double x, bool log) { return log ? std::log10(1.0 + std::max(0.0, x)) : x; }
double scoreInverse(double t, bool log) { return log ? std::pow(10.0, t) - 1.0 : t; }

} // namespace

// The live keys are the kernels' settings not marked NotLive
// (core/store/settingfields.h): nothing here names a key.
QStringList LiveDecisions::liveKeys()
{
    return ImageFilterSettings::recipeKeys(true) + SentenceFilterSettings::recipeKeys(true) + SampleSettings::recipeKeys(true);
}

LiveDecisions::Table LiveDecisions::tableOf(const QString &key)
{
    static const QStringList imageKeys = ImageFilterSettings::recipeKeys(true);
    static const QStringList sentenceKeys = SentenceFilterSettings::recipeKeys(true);
    static const QStringList sampleKeys = SampleSettings::recipeKeys(true);
    if (imageKeys.contains(key))
        return Table::Images;
    if (sentenceKeys.contains(key))
        return Table::Sentences;
    if (sampleKeys.contains(key))
        return Table::Sample;
    return Table::None;
}

QStringList LiveDecisions::reasonNames(Table table) const
{
    switch (table) {
    case Table::Images: return m_images.reasons;
    case Table::Sentences: return reasonCodes(ReasonTable::Sentences);
    case Table::Sample: return reasonCodes(ReasonTable::Sample);
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
    live.m_clipFamily = store.meta(QStringLiteral("embed.clip_family")) == QLatin1String("true");
    auto images = loadImageFilterInputs(store, ImageFilterSettings::fromRecipe(recipe).phashDistance, ctx);
    if (!images)
        return images.error();
    ImageColumns &im = live.m_images;
    static_cast<ImageFilterInputs &>(im) = std::move(*images);
    auto sample = loadSampleInputs(store, im.id);
    if (!sample)
        return sample.error();
    static_cast<SampleInputs &>(im) = std::move(*sample);
    im.clusterScore.assign(im.id.size(), kNaN);
    im.sampled.assign(im.id.size(), qint8(-1));
    auto q = store.exec(QStringLiteral("SELECT id, cluster_score, sampled FROM images ORDER BY id"));
    if (!q)
        return q.error();
    for (size_t i = 0; q->next() && i < im.id.size(); ++i) {
        if (q->value(0).toLongLong() != im.id[i])
            return makeError(ErrorCode::Internal, QStringLiteral("images changed while reading them"));
        im.clusterScore[i] = q->value(1).isNull() ? kNaN : q->value(1).toFloat();
        im.sampled[i] = q->value(2).isNull() ? qint8(-1) : qint8(q->value(2).toInt() != 0);
    }
    auto sentences = loadSentenceFilterInputs(store, ctx);
    if (!sentences)
        return sentences.error();
    live.m_sentences = std::move(*sentences);
    return live;
}

std::vector<quint8> LiveDecisions::decideImages(const Recipe &recipe) const
{
    return decideImageFilters(m_images, ImageFilterSettings::fromRecipe(recipe)).code;
}

std::vector<quint8> LiveDecisions::decideSentences(const Recipe &recipe) const
{
    return decideSentenceFilters(m_sentences, SentenceFilterSettings::fromRecipe(recipe)).code;
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
    // The cache holds decideImages' codes: its key is what decideImages reads.
    static const QStringList keys = ImageFilterSettings::recipeKeys();
    const QString fp = recipe.fingerprint(keys);
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
    // Which score column a threshold is drawn over, by the field it binds.
    static const QHash<QString, QString> scoreOfKey = {
        {settingKeyOf(&ImageFilterSettings::minSide), QStringLiteral("min_side")},
        {settingKeyOf(&ImageFilterSettings::maxAspect), QStringLiteral("aspect")},
        {settingKeyOf(&ImageFilterSettings::maxPixels), QStringLiteral("pixels")},
        {settingKeyOf(&SentenceFilterSettings::minWords), QStringLiteral("words")},
        {settingKeyOf(&SentenceFilterSettings::maxWords), QStringLiteral("words")},
        {settingKeyOf(&SentenceFilterSettings::minEntropy), QStringLiteral("entropy")},
        {settingKeyOf(&SampleSettings::minSimilarity), QStringLiteral("similarity")},
        {settingKeyOf(&SampleSettings::maxSimilarity), QStringLiteral("similarity")},
        {settingKeyOf(&SampleSettings::lowPercentile), QStringLiteral("similarity")},
        {settingKeyOf(&SampleSettings::highPercentile), QStringLiteral("similarity")},
    };
    const QString score = scoreOfKey.value(key);
    if (score.isEmpty())
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
    const SampleSettings settings = SampleSettings::fromRecipe(recipe, m_clipFamily);
    const SampleVerdictColumns v = rs::decideSample(im, extract, settings, SampleDetail::Counts);
    const QStringList reasons = reasonNames(Table::Sample);
    out.counts.byReason.assign(size_t(reasons.size()), 0);
    const quint8 cCap = codeOf(reasons, "cluster_cap");
    std::vector<qint64> perCode(256, 0);
    for (quint8 c : v.code)
        ++perCode[c];
    // Counts mode leaves capped rows at code 0 and counts them apart.
    const qint64 capCoded = perCode[cCap];
    out.counts.kept = perCode[0] - (v.capped - capCoded);
    for (size_t r = 0; r < out.counts.byReason.size(); ++r)
        out.counts.byReason[r] = perCode[r + 1];
    out.counts.byReason[size_t(cCap - 1)] = v.capped;
    out.counts.total = out.counts.kept;
    for (qint64 k : out.counts.byReason)
        out.counts.total += k;
    const std::vector<qint64> &sizes = v.clusterSizes;

    Histogram &h = out.histogram;
    h.key = key;
    static const QString capKey = settingKeyOf(&SampleSettings::cap), tKey = settingKeyOf(&SampleSettings::t);
    if (key == capKey || key == tKey) {
        const double cap = settings.metaclip ? settings.t : double(settings.cap);
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
        // The band's histogram: what the band removes is dropped, the rest kept.
        const quint8 cBelow = codeOf(reasons, "below_band"), cAbove = codeOf(reasons, "above_band");
        std::vector<quint8> codes(im.id.size(), kNotJudged);
        for (size_t i = 0; i < im.id.size(); ++i) {
            const quint8 c = v.code[i];
            if (c == SampleVerdictColumns::kNotJudged || (c != 0 && c != cCap && c != cBelow && c != cAbove))
                continue;
            codes[i] = c == cBelow || c == cAbove ? c : 0;
        }
        h = histogram(key, recipe, codes, bins);
        if (v.bandMode == QLatin1String("percentile"))
            h.threshold = key.contains(QLatin1String("min")) || key.contains(QLatin1String("low")) ? v.low : v.high;
    }
    return out;
}

LiveDecisions LiveDecisions::synthetic(qint64 images, qint64 sentences, quint64 seed)
{
    LiveDecisions live;
    live.m_images.reasons = reasonCodes(ReasonTable::Images);
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
    im.brisque.assign(n, -1.0f);
    im.phash.node.resize(n);
    im.embedding.node.assign(n, -1);
    im.hasEmbedding.assign(n, 1);
    im.hasTexts.assign(n, 1);
    im.similarity.resize(n);
    im.cluster.resize(n);
    im.clusterScore.resize(n);
    im.sampled.assign(n, -1);
    const quint8 fixedCodes[] = {codeOf(im.reasons, "not_local"), codeOf(im.reasons, "missing_file"),
                                 codeOf(im.reasons, "decode_failed")};
    // Zipf-sized clusters, as web images are (a few huge topics, a long tail).
    const int clusters = std::max(1, int(std::sqrt(double(n))));
    std::vector<double> cdf(static_cast<size_t>(clusters));
    double acc = 0;
    for (int c = 0; c < clusters; ++c)
        cdf[size_t(c)] = (acc += 1.0 / (c + 1));
    for (size_t i = 0; i < n; ++i) {
        im.id[i] = qint64(i) + 1;
        im.phash.node[i] = im.phash.nodes++;
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
                im.shaGroup[j] = im.shaGroups++;
            im.shaGroup[i] = im.shaGroup[j];
            im.width[i] = im.width[j];
            im.height[i] = im.height[j];
        } else if (i > 0 && r < 0.09) { // resized or re-encoded copy
            const size_t j = size_t(uni(rng) * double(i));
            im.phash.edges.emplace_back(im.phash.node[j], im.phash.node[i]);
        }
        im.similarity[i] = float(0.3 + 0.08 * normal(rng));
        const auto c = std::upper_bound(cdf.begin(), cdf.end(), uni(rng) * acc) - cdf.begin();
        im.cluster[i] = uni(rng) < 0.95 ? qint32(std::min<qint64>(c, clusters - 1)) : -1;
        if (im.cluster[i] < 0) // the sample stage clusters every image it judges
            im.hasEmbedding[i] = 0;
        else if (uni(rng) < 0.02)
            im.hasTexts[i] = 0;
        im.clusterScore[i] = float(uni(rng));
    }

    im.phash.compact();

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
                    se.textGroup[j] = se.textGroups++;
                se.textGroup[i] = se.textGroup[j];
            }
            if (se.keyGroup[j] < 0)
                se.keyGroup[j] = se.keyGroups++;
            se.keyGroup[i] = se.keyGroup[j];
        }
    }
    return live;
}

} // namespace rs
