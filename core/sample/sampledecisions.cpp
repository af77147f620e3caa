#include "core/sample/sampledecisions.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/sample/balancer.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "core/store/recipe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rs {

namespace {

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

} // namespace

SampleSettings SampleSettings::fromRecipe(const Recipe &recipe, bool clipFamily)
{
    SampleSettings s;
    readSettings(recipe, s);
    if (s.band == QLatin1String("auto"))
        s.band = clipFamily ? QStringLiteral("absolute") : QStringLiteral("percentile");
    s.metaclip = s.method == QLatin1String("metaclip");
    return s;
}

QStringList SampleSettings::recipeKeys(bool liveOnly)
{
    return settingKeysOf<SampleSettings>(liveOnly);
}

SampleVerdictColumns decideSample(const SampleInputs &in, const std::vector<quint8> &filterCodes, const SampleSettings &s,
                                  SampleDetail detail)
{
    const QStringList reasons = reasonCodes(ReasonTable::Sample);
    auto code = [&](const char *reason) { return quint8(reasons.indexOf(QLatin1String(reason)) + 1); };
    const quint8 cNoEmbedding = code("no_embedding"), cMissing = code("missing_texts"), cBelow = code("below_band"),
                 cAbove = code("above_band"), cCap = code("cluster_cap");
    const size_t n = filterCodes.size();
    SampleVerdictColumns out;
    out.code.assign(n, SampleVerdictColumns::kNotJudged);
    out.assignment.assign(n, -1);

    std::vector<double> values;
    for (size_t i = 0; i < n; ++i) {
        if (filterCodes[i])
            continue;
        if (!in.hasEmbedding[i])
            out.code[i] = cNoEmbedding;
        else if (!in.hasTexts[i])
            out.code[i] = cMissing;
        else {
            out.code[i] = 0;
            if (!std::isnan(in.similarity[i]))
                values.push_back(in.similarity[i]);
        }
    }

    out.bandMode = values.empty() || s.band == QLatin1String("off") ? QStringLiteral("none") : s.band;
    double low = -std::numeric_limits<double>::infinity(), high = std::numeric_limits<double>::infinity();
    if (out.bandMode == QLatin1String("absolute")) {
        low = s.minSimilarity;
        high = s.maxSimilarity;
    } else if (out.bandMode == QLatin1String("percentile")) {
        // nth_element only permutes: the second selection may reuse the array.
        low = selectPercentile(values, s.lowPercentile / 100.0);
        high = selectPercentile(values, 1.0 - s.highPercentile / 100.0);
    }
    out.low = out.bandMode == QLatin1String("none") ? -1 : low;
    out.high = out.bandMode == QLatin1String("none") ? 1 : high;

    for (size_t i = 0; i < n; ++i) {
        if (out.code[i] != 0)
            continue;
        const float sim = in.similarity[i];
        if (out.bandMode != QLatin1String("none") && std::isnan(sim))
            ++out.withoutSimilarity; // no similarity: the band cannot judge it, so it stays
        if (out.bandMode != QLatin1String("none") && !std::isnan(sim) && sim < low)
            out.code[i] = cBelow;
        else if (out.bandMode != QLatin1String("none") && !std::isnan(sim) && sim > high)
            out.code[i] = cAbove;
        else
            out.assignment[i] = in.cluster[i];
    }

    // The stage clusters every row it judges; a preview over rows kept since
    // the last clustering has no cluster for them and cannot cap them.
    for (qint32 c : out.assignment) {
        if (c < 0)
            continue;
        if (size_t(c) >= out.clusterSizes.size())
            out.clusterSizes.resize(size_t(c) + 1, 0);
        ++out.clusterSizes[size_t(c)];
    }
    if (detail == SampleDetail::Counts && !s.metaclip) {
        for (qint64 size : out.clusterSizes)
            out.capped += size - qint64(keptOfCluster(size, s));
        return out;
    }
    const std::vector<bool> keep = s.metaclip ? metaclipSample(out.assignment, s.t, s.seed)
                                              : capPerCluster(out.assignment, int(std::min<qint64>(s.cap, INT_MAX)), s.seed);
    for (size_t i = 0; i < n; ++i)
        if (out.assignment[i] >= 0 && !keep[i]) {
            out.code[i] = cCap;
            ++out.capped;
        }
    return out;
}

double keptOfCluster(qint64 size, const SampleSettings &settings)
{
    return settings.metaclip ? std::min<double>(double(size), settings.t) : double(std::min<qint64>(size, settings.cap));
}

Result<SampleInputs> loadSampleInputs(ProjectStore &store, const std::vector<qint64> &ids)
{
    const size_t n = ids.size();
    SampleInputs in;
    in.hasEmbedding.assign(n, 0);
    in.hasTexts.assign(n, 0);
    in.similarity.assign(n, std::numeric_limits<float>::quiet_NaN());
    in.cluster.assign(n, -1);
    auto rowOf = [&](qint64 id) -> qint64 {
        auto it = std::lower_bound(ids.begin(), ids.end(), id);
        return (it != ids.end() && *it == id) ? qint64(it - ids.begin()) : -1;
    };
    auto q = store.exec(QStringLiteral("SELECT i.id, i.cluster, g.similarity,"
                                       " (g.synthetic_text IS NOT NULL AND g.synthetic_text <> ''"
                                       "  AND EXISTS (SELECT 1 FROM retrievals r WHERE r.image_id = i.id))"
                                       " FROM images i LEFT JOIN generations g ON g.image_id = i.id ORDER BY i.id"));
    if (!q)
        return q.error();
    while (q->next()) {
        const qint64 r = rowOf(q->value(0).toLongLong());
        if (r < 0)
            continue;
        in.cluster[size_t(r)] = q->value(1).isNull() ? -1 : q->value(1).toInt();
        if (!q->value(2).isNull())
            in.similarity[size_t(r)] = q->value(2).toFloat();
        in.hasTexts[size_t(r)] = q->value(3).toInt() != 0;
    }
    // Embedding presence from the vectors themselves, as the stage reads them.
    if (auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images")); emb) {
        for (size_t i = 0; i < n; ++i)
            in.hasEmbedding[i] = (*emb)->has(ids[i]);
    }
    return in;
}

} // namespace rs
