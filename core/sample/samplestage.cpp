#include "core/sample/samplestage.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/kmeans.h"
#include "core/index/retrievestage.h"
#include "core/sample/balancer.h"
#include "core/sample/sampledecisions.h"
#include "core/store/reasons.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QCryptographicHash>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

namespace rs {

namespace {

QJsonArray sizesJson(const std::vector<qint64> &sizes)
{
    QJsonArray a;
    for (qint64 n : sizes)
        a.append(n);
    return a;
}

} // namespace

QJsonObject SampleStage::storedStats(ProjectStore &store)
{
    return QJsonDocument::fromJson(store.meta(QStringLiteral("sample.stats")).toUtf8()).object();
}

Status SampleStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    // The filter verdicts as stored (extract and embed wrote them).
    std::vector<qint64> ids;
    std::vector<quint8> filterCodes;
    {
        auto q = store.exec(QStringLiteral("SELECT id, reject_reason IS NOT NULL FROM images ORDER BY id"));
        if (!q)
            return q.error();
        while (q->next()) {
            ids.push_back(q->value(0).toLongLong());
            filterCodes.push_back(quint8(q->value(1).toInt() != 0));
        }
    }
    auto in = loadSampleInputs(store, ids);
    if (!in)
        return in.error();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted before clustering"));

    // Clustering over every kept image with an embedding, reused when nothing
    // it depends on changed. It does not depend on the band or the cap.
    QVector<qint64> members;
    for (size_t i = 0; i < ids.size(); ++i)
        if (!filterCodes[i] && in->hasEmbedding[i])
            members.push_back(ids[i]);
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(store.meta(QStringLiteral("embed.encoder")).toUtf8());
    SampleClusterSettings clustering;
    readSettings(recipe, clustering);
    h.addData(recipe.fingerprint(settingKeysOf<SampleClusterSettings>()).toUtf8());
    h.addData(QByteArrayLiteral("all-kept-v2"));
    for (qint64 id : members)
        h.addData(QByteArray(QByteArray::number(id) + ','));
    const QString clusterKey = QString::fromLatin1(h.result().toHex());
    int clusterCount = 0;
    if (!members.isEmpty() && store.meta(QStringLiteral("sample.cluster_key")) == clusterKey) {
        for (size_t i = 0; i < ids.size(); ++i)
            if (!filterCodes[i] && in->hasEmbedding[i])
                clusterCount = std::max(clusterCount, in->cluster[i] + 1);
        ctx.progress(1, 1, QStringLiteral("reusing %1 image clusters").arg(clusterCount));
    } else if (!members.isEmpty()) {
        auto emb = EmbeddingStore::openInProject(store, QStringLiteral("images"));
        if (!emb)
            return emb.error();
        const Matrix points = (*emb)->get(members);
        KMeansOptions km;
        km.clusters = std::min<int>(int(clustering.clusters), int(members.size()));
        km.iterations = clustering.iterations;
        km.seed = 0; // fixed: the clustering must not change with the sampling seed
        ctx.progress(0, 1, QStringLiteral("k-means over %1 image embeddings").arg(members.size()));
        auto result = kmeans(points, km);
        if (!result)
            return result.error();
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted; nothing was written"));
        clusterCount = int(result->centroids.rows);
        std::fill(in->cluster.begin(), in->cluster.end(), -1);
        Transaction tx(store);
        if (auto r = store.exec(QStringLiteral("UPDATE images SET cluster = NULL, cluster_score = NULL")); !r)
            return r.error();
        auto up = store.prepare(QStringLiteral("UPDATE images SET cluster = ?, cluster_score = ? WHERE id = ?"));
        if (!up)
            return up.error();
        qsizetype m = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (filterCodes[i] || !in->hasEmbedding[i])
                continue;
            in->cluster[i] = result->assignment[size_t(m)];
            if (Status s = store.execPrepared(*up, {in->cluster[i], double(result->distance[size_t(m)]), ids[i]}); !s)
                return s;
            ++m;
        }
        if (Status s = store.setMeta(QStringLiteral("sample.cluster_key"), clusterKey); !s)
            return s;
        if (Status s = tx.commit(); !s)
            return s;
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("sample interrupted; clusters are kept"));

    const SampleSettings settings = SampleSettings::fromRecipe(recipe, store.meta(QStringLiteral("embed.clip_family")) == QLatin1String("true"));
    const SampleVerdictColumns v = decideSample(*in, filterCodes, settings);
    const QStringList reasons = reasonCodes(ReasonTable::Sample);

    Transaction tx(store);
    auto up = store.prepare(QStringLiteral("UPDATE images SET sampled = ?, sample_reason = ? WHERE id = ?"));
    if (!up)
        return up.error();
    // Every row gets a value, refused ones 0: an image a later re-decision
    // keeps is not selected until this stage has judged it.
    qint64 removedLow = 0, removedHigh = 0, judged = 0;
    std::vector<int> judgedAssignment;
    std::vector<bool> keep;
    for (size_t i = 0; i < ids.size(); ++i) {
        const quint8 c = v.code[i];
        const QString why = c == 0 || c == SampleVerdictColumns::kNotJudged ? QString() : reasons.value(c - 1);
        if (why == QLatin1String("below_band"))
            ++removedLow;
        else if (why == QLatin1String("above_band"))
            ++removedHigh;
        if (v.assignment[i] >= 0) {
            judgedAssignment.push_back(v.assignment[i]);
            keep.push_back(c == 0);
        }
        if (c != SampleVerdictColumns::kNotJudged)
            ++judged;
        if (Status s = store.execPrepared(*up, {c == 0 ? 1 : 0, why.isEmpty() ? QVariant() : QVariant(why), ids[i]}); !s)
            return s;
    }

    const ClusterStats before = clusterStats(judgedAssignment, clusterCount);
    const ClusterStats after = clusterStats(judgedAssignment, clusterCount, keep);
    QJsonObject stats{{QStringLiteral("clusters"), clusterCount},
                      {QStringLiteral("method"), settings.metaclip ? QStringLiteral("metaclip") : QStringLiteral("cap")},
                      {QStringLiteral("seed"), qint64(settings.seed)},
                      {QStringLiteral("before"), toJson(before)},
                      {QStringLiteral("after"), toJson(after)},
                      {QStringLiteral("sizes_before"), sizesJson(before.sizes)},
                      {QStringLiteral("sizes_after"), sizesJson(after.sizes)},
                      {QStringLiteral("band"), QJsonObject{{QStringLiteral("mode"), v.bandMode},
                                                           {QStringLiteral("low"), v.low},
                                                           {QStringLiteral("high"), v.high},
                                                           {QStringLiteral("removed_low"), removedLow},
                                                           {QStringLiteral("removed_high"), removedHigh},
                                                           {QStringLiteral("without_similarity"), v.withoutSimilarity}}}};
    if (settings.metaclip)
        stats.insert(QStringLiteral("t"), settings.t);
    else
        stats.insert(QStringLiteral("cap"), settings.cap);
    if (Status s = store.setMeta(QStringLiteral("sample.stats"), QString::fromUtf8(QJsonDocument(stats).toJson(QJsonDocument::Compact))); !s)
        return s;
    ctx.progress(judged, judged, QStringLiteral("sampled %1 of %2").arg(after.count).arg(judged));
    return tx.commit();
}

} // namespace rs
