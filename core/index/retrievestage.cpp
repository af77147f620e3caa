#include "core/index/retrievestage.h"

#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/kmeans.h"
#include "core/index/linearassignment.h"
#include "core/index/retriever.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSqlError>

#include <numeric>

namespace rs {

namespace {

Result<EmbeddedItems> loadKept(ProjectStore &store, const QString &kind, const QString &sql)
{
    auto emb = EmbeddingStore::openExisting(EmbedStage::embeddingDir(store), kind);
    if (!emb)
        return emb.error();
    auto q = store.exec(sql);
    if (!q)
        return q.error();
    EmbeddedItems items;
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        if ((*emb)->has(id))
            items.ids.push_back(id);
    }
    items.vectors = (*emb)->get(items.ids);
    return items;
}

using Results = std::vector<std::vector<Hit>>; // per image: (sentence id, score), best first

Result<Results> documentLocal(ProjectStore &store, const EmbeddedItems &images, const EmbeddedItems &sentences, int k,
                              float minScore, JobContext &ctx)
{
    QHash<qint64, int> imageRow, sentenceRow;
    for (int i = 0; i < images.ids.size(); ++i)
        imageRow.insert(images.ids[i], i);
    for (int i = 0; i < sentences.ids.size(); ++i)
        sentenceRow.insert(sentences.ids[i], i);
    QHash<qint64, QVector<qint64>> docImages, docSentences;
    auto q = store.exec(QStringLiteral("SELECT DISTINCT document_id, image_id FROM image_refs ORDER BY document_id, image_id"));
    if (!q)
        return q.error();
    while (q->next())
        if (imageRow.contains(q->value(1).toLongLong()))
            docImages[q->value(0).toLongLong()].push_back(q->value(1).toLongLong());
    q = store.exec(QStringLiteral("SELECT document_id, id FROM sentences WHERE reject_reason IS NULL ORDER BY document_id, id"));
    if (!q)
        return q.error();
    while (q->next())
        if (sentenceRow.contains(q->value(1).toLongLong()))
            docSentences[q->value(0).toLongLong()].push_back(q->value(1).toLongLong());

    // An image on several pages gets its best page's answer.
    Results out(images.ids.size());
    qint64 done = 0;
    for (auto it = docImages.cbegin(); it != docImages.cend(); ++it) {
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted during document-local assignment"));
        const QVector<qint64> &imgs = it.value();
        const QVector<qint64> sents = docSentences.value(it.key());
        if (sents.isEmpty())
            continue;
        std::vector<std::vector<double>> score(imgs.size(), std::vector<double>(sents.size()));
        for (int i = 0; i < imgs.size(); ++i) {
            const float *a = images.vectors.row(imageRow.value(imgs[i]));
            for (int j = 0; j < sents.size(); ++j) {
                const float *b = sentences.vectors.row(sentenceRow.value(sents[j]));
                double dot = 0;
                for (int d = 0; d < images.vectors.cols; ++d)
                    dot += double(a[d]) * b[d];
                score[i][j] = dot;
            }
        }
        auto assignment = maximumWeightAssignment(score);
        if (!assignment)
            return assignment.error();
        for (int i = 0; i < imgs.size(); ++i) {
            std::vector<Hit> hits;
            const int assigned = (*assignment)[i];
            if (assigned >= 0 && score[i][assigned] >= minScore)
                hits.push_back({sents[assigned], float(score[i][assigned])});
            std::vector<int> order(sents.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[i][a] > score[i][b]; });
            for (int j : order) {
                if (int(hits.size()) >= k)
                    break;
                if (j != assigned && score[i][j] >= minScore)
                    hits.push_back({sents[j], float(score[i][j])});
            }
            std::vector<Hit> &slot = out[imageRow.value(imgs[i])];
            const double mine = hits.empty() ? -1e9 : hits.front().score;
            const double theirs = slot.empty() ? -1e9 : slot.front().score;
            if (mine > theirs)
                slot = std::move(hits);
        }
        ctx.progress(++done, docImages.size(), QStringLiteral("document-local assignment"));
    }
    return out;
}

} // namespace

QString RetrieveStage::indexPath(ProjectStore &store)
{
    return store.sidePath(QStringLiteral("index/sentences.ivf"));
}

KMeansOptions sentenceKMeansOptions(const Recipe &recipe, qint64 points)
{
    KMeansOptions km;
    // FAISS throws with more centres than points; 0 keeps the default formula.
    km.clusters = int(std::min<qint64>(recipe.intValue(QStringLiteral("retrieve.kmeans_clusters")), points));
    km.iterations = int(recipe.intValue(QStringLiteral("retrieve.kmeans_iterations")));
    km.seed = quint64(recipe.intValue(QStringLiteral("seed")));
    return km;
}

Result<EmbeddedItems> loadKeptImageEmbeddings(ProjectStore &store)
{
    return loadKept(store, QStringLiteral("images"), QStringLiteral("SELECT id FROM images WHERE reject_reason IS NULL ORDER BY id"));
}

Result<EmbeddedItems> loadKeptSentenceEmbeddings(ProjectStore &store)
{
    return loadKept(store, QStringLiteral("sentences"),
                    QStringLiteral("SELECT id FROM sentences WHERE reject_reason IS NULL ORDER BY id"));
}

Status RetrieveStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto images = loadKeptImageEmbeddings(store);
    if (!images)
        return images.error();
    auto sentences = loadKeptSentenceEmbeddings(store);
    if (!sentences)
        return sentences.error();
    const int k = int(recipe.intValue(QStringLiteral("retrieve.k")));
    const float minScore = float(recipe.doubleValue(QStringLiteral("retrieve.min_score")));
    const QString mode = recipe.text(QStringLiteral("retrieve.mode"));
    // Ctrl-C is honoured between the phases (loading, clustering, searching,
    // writing): each is one batch call, and nothing is written before the
    // last, so an interrupted retrieve leaves the previous results intact.
    const auto canceled = [](const char *where) {
        return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted ") + QLatin1String(where));
    };
    if (ctx.isCanceled())
        return canceled("after loading embeddings");

    Results results(images->ids.size());
    if (!sentences->ids.isEmpty() && !images->ids.isEmpty()) {
        auto toIds = [&](const std::vector<std::vector<Hit>> &hits) {
            for (size_t i = 0; i < hits.size(); ++i)
                for (const Hit &h : hits[i])
                    results[i].push_back({sentences->ids[h.item], h.score});
        };
        if (mode == QLatin1String("exact")) {
            ctx.progress(0, 1, QStringLiteral("exact search"));
            auto hits = exactSearch(sentences->vectors, images->vectors, k, minScore);
            if (!hits)
                return hits.error();
            toIds(*hits);
        } else if (mode == QLatin1String("document")) {
            auto r = documentLocal(store, *images, *sentences, k, minScore, ctx);
            if (!r)
                return r.error();
            results = std::move(*r);
        } else {
            const KMeansOptions km = sentenceKMeansOptions(recipe, sentences->ids.size());
            ctx.progress(0, 1, QStringLiteral("k-means over %1 sentences").arg(sentences->ids.size()));
            auto index = HierarchicalRetriever::build(sentences->vectors, km);
            if (!index)
                return index.error();
            if (ctx.isCanceled())
                return canceled("after k-means");
            QDir().mkpath(QFileInfo(indexPath(store)).absolutePath());
            if (Status s = index->save(indexPath(store)); !s)
                return s;
            RetrieveOptions ro;
            ro.k = k;
            ro.clusters = int(recipe.intValue(QStringLiteral("retrieve.clusters")));
            ro.minScore = minScore;
            ctx.progress(0, images->ids.size(), QStringLiteral("hierarchical search"));
            auto hits = index->search(images->vectors, ro);
            if (!hits)
                return hits.error();
            toIds(*hits);
        }
    }

    if (ctx.isCanceled())
        return canceled("before storing results");
    Transaction tx(store);
    if (auto r = store.exec(QStringLiteral("DELETE FROM retrievals")); !r)
        return r.error();
    QSqlQuery ins(store.db());
    ins.prepare(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score) VALUES(?, ?, ?, ?)"));
    for (int i = 0; i < images->ids.size(); ++i) {
        for (size_t r = 0; r < results[i].size(); ++r) {
            ins.addBindValue(images->ids[i]);
            ins.addBindValue(int(r + 1));
            ins.addBindValue(results[i][r].item);
            ins.addBindValue(results[i][r].score);
            if (!ins.exec())
                return makeError(ErrorCode::IoError, QStringLiteral("cannot store retrievals: ") + ins.lastError().text());
        }
    }
    ctx.progress(images->ids.size(), images->ids.size(), QStringLiteral("retrieved texts for images"));
    return tx.commit();
}

} // namespace rs
