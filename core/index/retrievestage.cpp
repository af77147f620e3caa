#include "core/index/retrievestage.h"

#include "core/embed/activeencoder.h"
#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/index/kmeans.h"
#include "core/index/linearassignment.h"
#include "core/index/retriever.h"
#include "core/pipeline/issuelog.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"

#include <QDir>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <numeric>
#include <optional>

namespace rs {

namespace {

Result<EmbeddedItems> loadKept(ProjectStore &store, const QString &kind, const QString &sql)
{
    auto emb = EmbeddingStore::openInProject(store, kind);
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

// wanted: the images to answer for (null: all). A document with any of them
// is assigned whole, every kept image of it taking part, so an image's
// answer does not depend on which others were asked for.
Result<Results> documentLocal(ProjectStore &store, const EmbeddedItems &images, const EmbeddedItems &sentences, int k,
                              float minScore, const QSet<qint64> *wanted, JobContext &ctx)
{
    QHash<qint64, int> imageRow, sentenceRow;
    for (int i = 0; i < images.ids.size(); ++i)
        imageRow.insert(images.ids[i], i);
    for (int i = 0; i < sentences.ids.size(); ++i)
        sentenceRow.insert(sentences.ids[i], i);
    // Documents in id order: an image on two pages whose best answers tie
    // keeps the first page's, whatever the process's hash seed.
    QMap<qint64, QVector<qint64>> docImages;
    QHash<qint64, QVector<qint64>> docSentences;
    auto q = store.exec(QStringLiteral("SELECT DISTINCT document_id, image_id FROM image_refs ORDER BY document_id, image_id"));
    if (!q)
        return q.error();
    while (q->next())
        if (imageRow.contains(q->value(1).toLongLong()))
            docImages[q->value(0).toLongLong()].push_back(q->value(1).toLongLong());
    if (wanted)
        for (auto it = docImages.begin(); it != docImages.end();) {
            const QVector<qint64> &imgs = it.value();
            const bool any = std::any_of(imgs.begin(), imgs.end(), [&](qint64 id) { return wanted->contains(id); });
            it = any ? std::next(it) : docImages.erase(it);
        }
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
    const RetrieveSettings settings = RetrieveSettings::fromRecipe(recipe);
    km.clusters = int(std::min<qint64>(settings.kmeansClusters, points));
    km.iterations = settings.kmeansIterations;
    km.seed = GlobalSettings::fromRecipe(recipe).seed;
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

Result<SentencePool> loadSentencePool(ProjectStore &store)
{
    auto items = loadKeptSentenceEmbeddings(store);
    if (!items)
        return items.error();
    SentencePool pool;
    pool.items = std::move(*items);
    QHash<qint64, QString> text;
    auto q = store.exec(QStringLiteral("SELECT id, text FROM sentences WHERE reject_reason IS NULL"));
    if (!q)
        return q.error();
    while (q->next())
        text.insert(q->value(0).toLongLong(), q->value(1).toString());
    QStringList rows;
    rows.reserve(pool.items.ids.size());
    for (qint64 i = 0; i < pool.items.ids.size(); ++i) {
        rows << text.value(pool.items.ids[i]);
        pool.row.insert(pool.items.ids[i], i);
    }
    pool.lexical = Bm25Index::build(rows);
    return pool;
}

DenseSearch denseSearchFor(const Recipe &recipe, const Matrix &sentences, const HierarchicalRetriever *index)
{
    const RetrieveSettings settings = RetrieveSettings::fromRecipe(recipe);
    if (settings.mode == QLatin1String("exact") || !index)
        // Per query, not BLAS: a query's hits must not depend on its batch.
        return [&sentences](const Matrix &queries, int k) { return exactScan(sentences, queries, k); };
    RetrieveOptions ro;
    ro.clusters = settings.clusters;
    return [index, ro](const Matrix &queries, int k) {
        RetrieveOptions o = ro;
        o.k = k;
        return index->search(queries, o);
    };
}

Result<FusionInput> buildFusionInput(ProjectStore &store, const Recipe &recipe, const EmbeddedItems &images,
                                     const SentencePool &pool, const QHash<qint64, ImageQueryText> &texts, JobContext &ctx)
{
    FusionInput in;
    in.sentences = &pool.items.vectors;
    in.lexical = &pool.lexical;
    in.visual = images.vectors;
    const qsizetype q = images.ids.size();
    in.excluded.resize(size_t(q));
    QStringList toEncode;
    QVector<QPair<int, int>> where; // (image row, 0 = ocr / 1 = context / 2 = own)
    bool anyOwn = false;
    for (qsizetype i = 0; i < q; ++i)
        anyOwn |= !texts.value(images.ids[i]).own.isEmpty();
    for (qsizetype i = 0; i < q; ++i) {
        const ImageQueryText t = texts.value(images.ids[i]);
        in.ocrText << t.ocr;
        in.contextText << t.neighbours;
        if (anyOwn)
            in.ownText << t.own;
        for (qint64 id : t.contextSentences)
            if (pool.row.contains(id))
                in.excluded[size_t(i)].push_back(pool.row.value(id));
        if (!t.ocr.isEmpty()) {
            toEncode << t.ocr;
            where.push_back({int(i), 0});
        }
        if (!t.neighbours.isEmpty()) {
            toEncode << t.neighbours;
            where.push_back({int(i), 1});
        }
        if (!t.own.isEmpty()) {
            toEncode << t.own;
            where.push_back({int(i), 2});
        }
    }
    if (toEncode.isEmpty() || q == 0)
        return in;
    auto encoder = openActiveEncoder(store, recipe);
    if (!encoder) {
        ctx.warn(QStringLiteral("OCR and context are matched by words only (BM25): no text encoder: ") + encoder.error().toString());
        return in;
    }
    const int d = pool.items.vectors.cols;
    Matrix ocr(q, d), context(q, d), own(anyOwn ? q : 0, d);
    constexpr int kChunk = 256;
    for (qsizetype start = 0; start < toEncode.size(); start += kChunk) {
        auto v = (*encoder)->encodeTexts(toEncode.mid(start, kChunk), ctx);
        if (!v) {
            ctx.warn(QStringLiteral("OCR and context are matched by words only (BM25): ") + v.error().toString());
            return in;
        }
        if (v->cols != d)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the text encoder gives %1 dimensions, the sentence vectors %2").arg(v->cols).arg(d));
        for (qint64 r = 0; r < v->rows; ++r) {
            const auto [row, kind] = where[start + r];
            std::copy_n(v->row(r), d, (kind == 0 ? ocr : kind == 1 ? context : own).row(row));
        }
        ctx.progress(std::min<qsizetype>(start + kChunk, toEncode.size()), toEncode.size(), QStringLiteral("encoding OCR and context text"));
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted"));
    }
    in.ocrDense = std::move(ocr);
    in.contextDense = std::move(context);
    in.ownDense = std::move(own);
    return in;
}

namespace {

constexpr auto kIndexKeyMeta = "retrieve.index_key";

// What the saved sentence index was built from: the kept sentences (ids, in
// row order), the k-means settings and the encoder fit their vectors came
// from. A barrier job saves it with the index; shards load only a match.
QString sentenceIndexKey(ProjectStore &store, const Recipe &recipe, const QVector<qint64> &sentenceIds)
{
    const KMeansOptions km = sentenceKMeansOptions(recipe, sentenceIds.size());
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(QStringLiteral("k=%1;it=%2;seed=%3;fit=%4;n=%5;")
                  .arg(km.clusters)
                  .arg(km.iterations)
                  .arg(km.seed)
                  .arg(EmbedStage::savedFitDigest(store))
                  .arg(sentenceIds.size())
                  .toUtf8());
    h.addData(QByteArrayView(reinterpret_cast<const char *>(sentenceIds.constData()), sentenceIds.size() * qsizetype(sizeof(qint64))));
    return QString::fromLatin1(h.result().toHex());
}

enum class IndexSource { Build, Saved };

// The k-means hierarchy hierarchical retrieval probes (none for the other
// modes). Build: k-means now, saved with its key (the stage, and the barrier
// job before retrieve's shards). Saved: the one the barrier saved, when it
// was built from the same sentences and settings; never built in a shard,
// so every shard probes the same centres.
Result<std::optional<HierarchicalRetriever>> retrievalIndex(ProjectStore &store, const Recipe &recipe, const EmbeddedItems &sentences,
                                                           IndexSource source, JobContext &ctx)
{
    if (RetrieveSettings::fromRecipe(recipe).mode != QLatin1String("hierarchical") || sentences.ids.isEmpty())
        return std::optional<HierarchicalRetriever>();
    const QString key = sentenceIndexKey(store, recipe, sentences.ids);
    const QString path = RetrieveStage::indexPath(store);
    if (source == IndexSource::Saved) {
        if (store.meta(QLatin1String(kIndexKeyMeta)) != key || !QFileInfo::exists(path))
            return makeError(ErrorCode::Conflict, QStringLiteral("no sentence index built from the project's current sentences and settings; "
                                                                 "run `realsyn run DIR --prepare retrieve` first"),
                             path);
        auto loaded = HierarchicalRetriever::load(path);
        if (!loaded)
            return loaded.error();
        return std::optional<HierarchicalRetriever>(std::move(*loaded));
    }
    const KMeansOptions km = sentenceKMeansOptions(recipe, sentences.ids.size());
    ctx.progress(0, 1, QStringLiteral("k-means over %1 sentences").arg(sentences.ids.size()));
    auto built = HierarchicalRetriever::build(sentences.vectors, km);
    if (!built)
        return built.error();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (Status s = built->save(path); !s)
        return s.error();
    if (Status s = store.setMeta(QLatin1String(kIndexKeyMeta), key); !s)
        return s.error();
    return std::optional<HierarchicalRetriever>(std::move(*built));
}

// Per image (rows follow imageIds): hits best first, and for fused modes
// each hit's signal scores.
struct Retrieved {
    QVector<qint64> imageIds;
    Results results;
    std::vector<std::vector<Candidate>> signals;
};

// Retrieval for the kept images of `store` in `wanted` (null: every kept
// image with a vector), exactly as for the whole corpus: every step is per
// image (the k-means index, the sentence pool and the BM25 statistics are
// the corpus's), so a shard's images get the rows a single machine gives
// them. Notes about images go to `notes` (the project, or a shard store).
Result<Retrieved> retrieveImages(ProjectStore &store, const Recipe &recipe, const EmbeddedItems &allImages, const QSet<qint64> *wanted,
                                 const SentencePool &pool, const HierarchicalRetriever *index, ProjectStore &notes, JobContext &ctx)
{
    const RetrieveSettings settings = RetrieveSettings::fromRecipe(recipe);
    const int k = settings.k;
    const float minScore = float(settings.minScore);
    const QString &mode = settings.mode;
    const EmbeddedItems &sentences = pool.items;
    Retrieved out;
    // The images answered for, in id order, with their vectors.
    EmbeddedItems images;
    QVector<qint64> allRows;
    for (qsizetype i = 0; i < allImages.ids.size(); ++i)
        if (!wanted || wanted->contains(allImages.ids[i])) {
            images.ids.push_back(allImages.ids[i]);
            allRows.push_back(i);
        }
    images.vectors = Matrix(images.ids.size(), allImages.vectors.cols);
    for (qsizetype r = 0; r < allRows.size(); ++r)
        std::copy_n(allImages.vectors.row(allRows[r]), allImages.vectors.cols, images.vectors.row(r));
    out.imageIds = images.ids;
    out.results.resize(size_t(images.ids.size()));
    out.signals.resize(size_t(images.ids.size()));
    if (sentences.ids.isEmpty() || images.ids.isEmpty())
        return out;

    if (mode == QLatin1String("document")) {
        auto r = documentLocal(store, allImages, sentences, k, minScore, wanted, ctx);
        if (!r)
            return r.error();
        for (qsizetype i = 0; i < allRows.size(); ++i)
            out.results[size_t(i)] = std::move((*r)[size_t(allRows[i])]);
        return out;
    }
    ctx.progress(0, 1, QStringLiteral("reading OCR and page context"));
    auto texts = loadQueryTexts(store, images.ids, QueryTextOptions::fromRecipe(recipe), ctx);
    if (!texts)
        return texts.error();
    for (qint64 id : std::as_const(images.ids)) {
        const ImageQueryText &t = (*texts)[id];
        if (t.ocr.isEmpty() && t.context.isEmpty())
            recordImageIssue(notes, ctx, QStringLiteral("retrieve"), JobIssue{Severity::Info,
                QStringLiteral("no OCR text and no page context: texts retrieved by the image embedding alone"), id, {}});
        if (t.ocrCapped)
            recordImageIssue(notes, ctx, QStringLiteral("retrieve"), JobIssue{Severity::Info,
                QStringLiteral("OCR text cut to %1 characters for the query").arg(t.ocr.size()), id, {}});
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted after reading query texts"));
    auto input = buildFusionInput(store, recipe, images, pool, *texts, ctx);
    if (!input)
        return input.error();
    ctx.progress(0, images.ids.size(), QStringLiteral("%1 search, fused").arg(mode));
    auto cands = gatherCandidates(*input, denseSearchFor(recipe, sentences.vectors, index), FusionOptions{});
    if (!cands)
        return cands.error();
    const SignalWeights weights = SignalWeights::fromRecipe(recipe);
    for (qsizetype i = 0; i < images.ids.size(); ++i) {
        std::vector<Candidate> &c = (*cands)[size_t(i)];
        QHash<qint64, int> at;
        for (int j = 0; j < int(c.size()); ++j)
            at.insert(c[size_t(j)].item, j);
        for (const Hit &h : rankCandidates(c, weights, k, minScore)) {
            out.results[size_t(i)].push_back({sentences.ids[h.item], h.score});
            out.signals[size_t(i)].push_back(c[size_t(at.value(h.item))]);
        }
    }
    return out;
}

// Writes the rows of `r` into `out`'s retrievals (replacing what it held
// for those images) in the caller's transaction.
Status storeRetrievals(ProjectStore &out, const Retrieved &r)
{
    QSqlQuery ins(out.db());
    ins.prepare(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score, visual, ocr, context, lexical)"
                               " VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
    for (qsizetype i = 0; i < r.imageIds.size(); ++i) {
        const auto &hits = r.results[size_t(i)];
        const auto &signals = r.signals[size_t(i)];
        for (size_t rank = 0; rank < hits.size(); ++rank) {
            ins.addBindValue(r.imageIds[i]);
            ins.addBindValue(int(rank + 1));
            ins.addBindValue(hits[rank].item);
            ins.addBindValue(hits[rank].score);
            for (int s = 0; s < kSignalCount; ++s)
                ins.addBindValue(rank < signals.size() ? QVariant(double(signals[rank].signal[size_t(s)]))
                                                       : QVariant(QMetaType(QMetaType::Double)));
            if (!ins.exec())
                return makeError(ErrorCode::IoError, QStringLiteral("cannot store retrievals: ") + ins.lastError().text());
        }
    }
    return {};
}

} // namespace

Status RetrieveStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto images = loadKeptImageEmbeddings(store);
    if (!images)
        return images.error();
    ctx.progress(0, 1, QStringLiteral("indexing sentence words (BM25)"));
    auto pool = loadSentencePool(store);
    if (!pool)
        return pool.error();
    // Ctrl-C is honoured between the phases (loading, clustering, searching,
    // writing): each is one batch call, and nothing is written before the
    // last, so an interrupted retrieve leaves the previous results intact.
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted after loading embeddings"));
    std::optional<HierarchicalRetriever> index;
    if (!images->ids.isEmpty()) {
        auto built = retrievalIndex(store, recipe, pool->items, IndexSource::Build, ctx);
        if (!built)
            return built.error();
        index = std::move(*built);
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted after k-means"));
    }
    auto retrieved = retrieveImages(store, recipe, *images, nullptr, *pool, index ? &*index : nullptr, store, ctx);
    if (!retrieved)
        return retrieved.error();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted before storing results"));
    Transaction tx(store);
    if (auto r = store.exec(QStringLiteral("DELETE FROM retrievals")); !r)
        return r.error();
    if (Status s = storeRetrievals(store, *retrieved); !s)
        return s;
    ctx.progress(images->ids.size(), images->ids.size(), QStringLiteral("retrieved texts for images"));
    return tx.commit();
}

Status RetrieveStage::prepareIndex(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto sentences = loadKeptSentenceEmbeddings(store);
    if (!sentences)
        return sentences.error();
    auto built = retrievalIndex(store, recipe, *sentences, IndexSource::Build, ctx);
    if (!built)
        return built.error();
    return {};
}

Result<qint64> RetrieveStage::retrieveInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                           JobContext &ctx)
{
    auto images = loadKeptImageEmbeddings(main);
    if (!images)
        return images.error();
    auto pool = loadSentencePool(main);
    if (!pool)
        return pool.error();
    std::optional<HierarchicalRetriever> index;
    auto saved = retrievalIndex(main, recipe, pool->items, IndexSource::Saved, ctx);
    if (!saved)
        return saved.error();
    index = std::move(*saved);
    auto retrieved = retrieveImages(main, recipe, *images, &wanted, *pool, index ? &*index : nullptr, out, ctx);
    if (!retrieved)
        return retrieved.error();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("retrieve interrupted before storing results"));
    Transaction tx(out);
    if (Status s = storeRetrievals(out, *retrieved); !s)
        return s.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return qint64(retrieved->imageIds.size());
}

} // namespace rs
