#include "core/sample/samplestage.h"

#include "core/index/kmeans.h"
#include "core/index/retrievestage.h"
#include "core/sample/balancer.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace rs {

namespace {

struct Band {
    QString mode; // absolute | percentile | none
    double low = -1, high = 1;
    qint64 removedLow = 0, removedHigh = 0, withoutSimilarity = 0;
};

QJsonArray sizesJson(const std::vector<qint64> &sizes)
{
    QJsonArray a;
    for (qint64 n : sizes)
        a.append(n);
    return a;
}

} // namespace

QStringList SampleStage::reasons()
{
    return {QStringLiteral("no_embedding"), QStringLiteral("below_band"), QStringLiteral("above_band"), QStringLiteral("cluster_cap")};
}

QJsonObject SampleStage::storedStats(ProjectStore &store)
{
    return QJsonDocument::fromJson(store.meta(QStringLiteral("sample.stats")).toUtf8()).object();
}

Status SampleStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto images = loadKeptImageEmbeddings(store);
    if (!images)
        return images.error();

    // Image–synthetic-text similarity from stage 3 (absent before it runs).
    QHash<qint64, double> similarity;
    auto q = store.exec(QStringLiteral("SELECT image_id, similarity FROM generations WHERE similarity IS NOT NULL"));
    if (!q)
        return q.error();
    while (q->next())
        similarity.insert(q->value(0).toLongLong(), q->value(1).toDouble());

    Band band;
    QString bandSetting = recipe.text(QStringLiteral("sample.band"));
    if (bandSetting == QLatin1String("auto"))
        bandSetting = store.meta(QStringLiteral("embed.clip_family")) == QLatin1String("true") ? QStringLiteral("absolute")
                                                                                               : QStringLiteral("percentile");
    band.mode = similarity.isEmpty() || bandSetting == QLatin1String("off") ? QStringLiteral("none") : bandSetting;
    if (band.mode == QLatin1String("absolute")) {
        band.low = recipe.doubleValue(QStringLiteral("sample.min_similarity"));
        band.high = recipe.doubleValue(QStringLiteral("sample.max_similarity"));
    } else if (band.mode == QLatin1String("percentile")) {
        std::vector<double> values;
        for (qint64 id : images->ids)
            if (similarity.contains(id))
                values.push_back(similarity.value(id));
        band.low = percentile(values, recipe.doubleValue(QStringLiteral("sample.low_percentile")) / 100.0);
        band.high = percentile(values, 1.0 - recipe.doubleValue(QStringLiteral("sample.high_percentile")) / 100.0);
    }

    QVector<qint64> inBand;
    QVector<int> inBandRows;
    QHash<qint64, QString> reason;
    for (int i = 0; i < images->ids.size(); ++i) {
        const qint64 id = images->ids[i];
        if (band.mode != QLatin1String("none")) {
            if (!similarity.contains(id)) {
                ++band.withoutSimilarity; // no synthetic text: the band cannot judge it, so it stays
            } else if (similarity.value(id) < band.low) {
                reason.insert(id, QStringLiteral("below_band"));
                ++band.removedLow;
                continue;
            } else if (similarity.value(id) > band.high) {
                reason.insert(id, QStringLiteral("above_band"));
                ++band.removedHigh;
                continue;
            }
        }
        inBand.push_back(id);
        inBandRows.push_back(i);
    }

    // Clustering, reused when nothing it depends on changed.
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(store.meta(QStringLiteral("embed.encoder")).toUtf8());
    h.addData(recipe.fingerprint({QStringLiteral("sample.clusters"), QStringLiteral("sample.kmeans_iterations")}).toUtf8());
    for (qint64 id : inBand)
        h.addData(QByteArray(QByteArray::number(id) + ','));
    const QString clusterKey = QString::fromLatin1(h.result().toHex());
    std::vector<int> assignment(inBand.size(), -1);
    int clusterCount = 0;
    if (!inBand.isEmpty() && store.meta(QStringLiteral("sample.cluster_key")) == clusterKey) {
        auto c = store.exec(QStringLiteral("SELECT id, cluster FROM images WHERE cluster IS NOT NULL"));
        if (!c)
            return c.error();
        QHash<qint64, int> stored;
        while (c->next())
            stored.insert(c->value(0).toLongLong(), c->value(1).toInt());
        for (int i = 0; i < inBand.size(); ++i) {
            assignment[i] = stored.value(inBand[i], -1);
            clusterCount = std::max(clusterCount, assignment[i] + 1);
        }
        ctx.progress(1, 1, QStringLiteral("reusing %1 image clusters").arg(clusterCount));
    } else if (!inBand.isEmpty()) {
        Matrix points(inBand.size(), images->vectors.cols);
        for (int i = 0; i < inBand.size(); ++i)
            std::copy_n(images->vectors.row(inBandRows[i]), points.cols, points.row(i));
        KMeansOptions km;
        km.clusters = std::min<int>(int(recipe.intValue(QStringLiteral("sample.clusters"))), int(inBand.size()));
        km.iterations = int(recipe.intValue(QStringLiteral("sample.kmeans_iterations")));
        km.seed = 0; // fixed: the clustering must not change with the sampling seed
        ctx.progress(0, 1, QStringLiteral("k-means over %1 image embeddings").arg(inBand.size()));
        auto result = kmeans(points, km);
        if (!result)
            return result.error();
        clusterCount = int(result->centroids.rows);
        Transaction tx(store);
        if (auto r = store.exec(QStringLiteral("UPDATE images SET cluster = NULL, cluster_score = NULL")); !r)
            return r.error();
        QSqlQuery up(store.db());
        up.prepare(QStringLiteral("UPDATE images SET cluster = ?, cluster_score = ? WHERE id = ?"));
        for (int i = 0; i < inBand.size(); ++i) {
            assignment[i] = result->assignment[i];
            up.addBindValue(assignment[i]);
            up.addBindValue(double(result->distance[i]));
            up.addBindValue(inBand[i]);
            if (!up.exec())
                return makeError(ErrorCode::IoError, QStringLiteral("cannot store clusters"));
        }
        if (Status s = store.setMeta(QStringLiteral("sample.cluster_key"), clusterKey); !s)
            return s;
        if (Status s = tx.commit(); !s)
            return s;
    }

    const quint64 seed = quint64(recipe.intValue(QStringLiteral("seed")));
    const bool metaclip = recipe.text(QStringLiteral("sample.method")) == QLatin1String("metaclip");
    const std::vector<bool> keep = metaclip
        ? metaclipSample(assignment, recipe.doubleValue(QStringLiteral("sample.t")), seed)
        : capPerCluster(assignment, int(recipe.intValue(QStringLiteral("sample.cap"))), seed);
    for (int i = 0; i < inBand.size(); ++i)
        if (!keep[i])
            reason.insert(inBand[i], QStringLiteral("cluster_cap"));

    Transaction tx(store);
    if (auto r = store.exec(QStringLiteral("UPDATE images SET sampled = NULL, sample_reason = NULL")); !r)
        return r.error();
    if (auto r = store.exec(QStringLiteral("UPDATE images SET sampled = 0, sample_reason = 'no_embedding' WHERE reject_reason IS NULL")); !r)
        return r.error();
    QSqlQuery up(store.db());
    up.prepare(QStringLiteral("UPDATE images SET sampled = ?, sample_reason = ? WHERE id = ?"));
    for (qint64 id : images->ids) {
        const QString why = reason.value(id);
        up.addBindValue(why.isEmpty() ? 1 : 0);
        up.addBindValue(why.isEmpty() ? QVariant() : QVariant(why));
        up.addBindValue(id);
        if (!up.exec())
            return makeError(ErrorCode::IoError, QStringLiteral("cannot store sampling decisions"));
    }

    const ClusterStats before = clusterStats(assignment, clusterCount);
    const ClusterStats after = clusterStats(assignment, clusterCount, keep);
    QJsonObject stats{{QStringLiteral("clusters"), clusterCount},
                      {QStringLiteral("method"), metaclip ? QStringLiteral("metaclip") : QStringLiteral("cap")},
                      {QStringLiteral("seed"), qint64(seed)},
                      {QStringLiteral("before"), toJson(before)},
                      {QStringLiteral("after"), toJson(after)},
                      {QStringLiteral("sizes_before"), sizesJson(before.sizes)},
                      {QStringLiteral("sizes_after"), sizesJson(after.sizes)},
                      {QStringLiteral("band"), QJsonObject{{QStringLiteral("mode"), band.mode},
                                                           {QStringLiteral("low"), band.low},
                                                           {QStringLiteral("high"), band.high},
                                                           {QStringLiteral("removed_low"), band.removedLow},
                                                           {QStringLiteral("removed_high"), band.removedHigh},
                                                           {QStringLiteral("without_similarity"), band.withoutSimilarity}}}};
    if (metaclip)
        stats.insert(QStringLiteral("t"), recipe.doubleValue(QStringLiteral("sample.t")));
    else
        stats.insert(QStringLiteral("cap"), recipe.intValue(QStringLiteral("sample.cap")));
    if (Status s = store.setMeta(QStringLiteral("sample.stats"), QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact))); !s)
        return s;
    ctx.progress(images->ids.size(), images->ids.size(), QStringLiteral("sampled %1 of %2").arg(after.count).arg(images->ids.size()));
    return tx.commit();
}

} // namespace rs
