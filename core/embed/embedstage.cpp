#include "core/embed/embedstage.h"

#include "core/extract/imagefilters.h"

#include "core/cluster/sharding.h"
#include "core/embed/activeencoder.h"
#include "core/embed/builtinencoder.h"
#include "core/embed/embeddingduplicates.h"
#include "core/embed/embeddingstore.h"
#include "core/extract/imageprobe.h"
#include "core/ingest/ingestor.h"
#include "core/pipeline/issuelog.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/util/unionfind.h"
#include "core/index/retriever.h"
#include "core/store/globalsettings.h"
#include "core/index/evalsplits.h"

#include <QCryptographicHash>
#include <QHash>
#include <QThreadPool>
#include <QtConcurrent>

#include <numeric>

namespace rs {

namespace {

constexpr int kImageBatch = 32;
constexpr int kTextBatch = 512;
// Images are decoded at most this large for the built-in encoder, whose
// descriptors work on small thumbnails; CLIP models resize anyway.
constexpr int kDecodeSide = 320;
// Encoding keeps enough pixels for a CLIP input (224-336) after a centre crop.
constexpr int kEncodeSide = 448;

// Bumped when what the fit digest covers changes meaning.
constexpr int kFitDigestFormat = 1;
const QString kFitDigestKey = QStringLiteral("embed.builtin_fit");

struct ImageItem {
    qint64 id = 0;
    QString path;
    qint64 pixels = 0;
    QString key;    // image_key: what a shard is chosen by
    QString sha256; // the probed file's content, for the fit digest
};

Result<QVector<ImageItem>> keptImages(ProjectStore &store)
{
    // Stage-2 duplicates are re-decided each run, so they count as kept here.
    auto q = store.exec(QStringLiteral("SELECT id, path, width * height, image_key, sha256 FROM images"
                                       " WHERE reject_reason IS NULL OR reject_reason = 'embedding_duplicate' ORDER BY id"));
    if (!q)
        return q.error();
    QVector<ImageItem> items;
    while (q->next())
        items.push_back({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong(), q->value(3).toString(),
                         q->value(4).toString()});
    return items;
}

// Decodes a batch in parallel; failures become null images and are logged.
QList<QImage> decodeBatch(ProjectStore &store, const QVector<ImageItem> &items, QThreadPool *pool, JobContext &ctx, int maxSide)
{
    const QList<QImage> images = QtConcurrent::blockingMapped<QList<QImage>>(pool, items, [maxSide](const ImageItem &item) {
        auto img = loadImageRgb(item.path, ProbeOptions{}, maxSide);
        return img ? img.value() : QImage();
    });
    for (int i = 0; i < items.size(); ++i)
        if (images[i].isNull())
            recordImageIssue(store, ctx, QStringLiteral("embed"), JobIssue{Severity::Warning, QStringLiteral("image failed to decode for embedding"), items[i].id, items[i].path});
    return images;
}

// The built-in encoder learns from each image's own context: its caption,
// alt and title texts (whatever their sentence filters said: short alt
// texts still name the image) and the kept sentences right around it.
Result<std::shared_ptr<BuiltinEncoder>> fitBuiltin(ProjectStore &store, const Recipe &recipe, const QVector<ImageItem> &kept,
                                                  QThreadPool *pool, EmbedStage::Fit fit, JobContext &ctx)
{
    const EmbedSettings settings = EmbedSettings::fromRecipe(recipe);
    const double holdout = settings.holdout;
    const double validation = settings.validation;
    const quint64 seed = GlobalSettings::fromRecipe(recipe).seed;
    const int window = settings.contextWindow;
    const int maxFit = settings.maxFitImages;
    const QString modelPath = BuiltinEncoder::projectModelPath(store);
    if (fit == EmbedStage::Fit::CachedOnly) {
        // A shard job takes the barrier's fit as it is, without re-reading
        // the whole corpus for the digest (every shard would scan every
        // sentence): the merge checks the digest again, fits anew if the
        // project changed in between, and then refuses shard vectors of the
        // old fit by their encoder name.
        if (store.meta(kFitDigestKey).isEmpty() || !QFileInfo::exists(modelPath))
            return makeError(ErrorCode::NotFound,
                             QStringLiteral("the built-in encoder is not fitted yet; the fitting barrier "
                                            "(`realsyn run DIR --prepare embed`) runs before embed's shards"),
                             modelPath);
        return BuiltinEncoder::load(modelPath);
    }

    QHash<qint64, QVector<QPair<QString, double>>> texts; // image id -> (text, weight)
    auto gt = store.exec(QStringLiteral("SELECT g.image_id, s.text FROM ground_truth g JOIN sentences s ON s.id = g.sentence_id"));
    if (!gt)
        return gt.error();
    while (gt->next())
        texts[gt->value(0).toLongLong()].push_back({gt->value(1).toString(), 1.0});
    if (window > 0) {
        auto near = store.exec(QStringLiteral(
            "SELECT r.image_id, s.text, abs(s.block - r.position) FROM image_refs r JOIN sentences s"
            " ON s.document_id = r.document_id AND s.reject_reason IS NULL AND s.image_ref_id IS NULL"
            " AND s.block BETWEEN r.position - ? AND r.position + ?"),
            {window, window});
        if (!near)
            return near.error();
        while (near->next())
            texts[near->value(0).toLongLong()].push_back({near->value(1).toString(), 0.5 / std::max(1, near->value(2).toInt())});
    }

    QVector<ImageItem> training;
    for (const ImageItem &item : kept)
        if (!isHeldOut(item.id, holdout, seed) && !isValidation(item.id, holdout, validation, seed)
            && texts.contains(item.id))
            training.push_back(item);
    if (training.size() > maxFit) {
        // A reproducible subsample keeps fitting time bounded on big projects.
        std::sort(training.begin(), training.end(), [seed](const ImageItem &a, const ImageItem &b) {
            return qHash(a.id, size_t(seed)) < qHash(b.id, size_t(seed));
        });
        training.resize(maxFit);
    }
    QStringList corpus;
    auto q = store.exec(QStringLiteral("SELECT text FROM sentences WHERE reject_reason IS NULL"));
    if (!q)
        return q.error();
    while (q->next())
        corpus << q->value(0).toString();

    // Everything the fit reads, digested: when it matches the saved model's,
    // that model is what fitting would give again (the fit is deterministic),
    // so the barrier job of a cluster run fits once and the shard jobs and
    // the merge load it.
    QCryptographicHash digest(QCryptographicHash::Sha256);
    digest.addData(QStringLiteral("%1|%2|%3|%4|%5|%6\n")
                       .arg(kFitDigestFormat)
                       .arg(settings.dimension)
                       .arg(settings.regularization, 0, 'g', 17)
                       .arg(seed)
                       .arg(BuiltinEncoder::descriptorLength())
                       .arg(kDecodeSide)
                       .toUtf8());
    for (const ImageItem &item : std::as_const(training)) {
        digest.addData(QStringLiteral("i|%1|%2|%3\n").arg(item.id).arg(item.path, item.sha256).toUtf8());
        for (const auto &[text, weight] : texts.value(item.id))
            digest.addData(QStringLiteral("t|%1|%2\n").arg(weight, 0, 'g', 17).arg(text).toUtf8());
    }
    for (const QString &text : std::as_const(corpus))
        digest.addData(QStringLiteral("c|%1\n").arg(text).toUtf8());
    const QString fitDigest = QString::fromLatin1(digest.result().toHex());
    if (store.meta(kFitDigestKey) == fitDigest && QFileInfo::exists(modelPath)) {
        if (auto saved = BuiltinEncoder::load(modelPath))
            return *saved;
    }
    QDir().mkpath(QFileInfo(modelPath).absolutePath());
    ctx.progress(0, training.size(), QStringLiteral("decoding images for fitting"));
    // Each chunk is described as soon as it is decoded and its pixels are
    // dropped: only the descriptor rows of the fitting images stay in memory.
    const size_t descLength = size_t(BuiltinEncoder::descriptorLength());
    std::vector<float> descriptors;
    qint64 described = 0;
    QVector<AlignedPair> pairs;
    for (qsizetype start = 0; start < training.size(); start += 256) {
        const QVector<ImageItem> chunk = training.mid(start, 256);
        const QList<QImage> decoded = decodeBatch(store, chunk, pool, ctx, kDecodeSide);
        std::vector<float> rows(size_t(chunk.size()) * descLength);
        QVector<char> usable(chunk.size(), 0);
        QVector<int> indices(chunk.size());
        std::iota(indices.begin(), indices.end(), 0);
        QtConcurrent::blockingMap(pool, indices, [&](int i) {
            usable[i] = BuiltinEncoder::describeImage(decoded[i], rows.data() + size_t(i) * descLength) ? 1 : 0;
        });
        for (int i = 0; i < chunk.size(); ++i) {
            if (!usable[i])
                continue;
            const qint64 index = described++;
            descriptors.insert(descriptors.end(), rows.begin() + ptrdiff_t(size_t(i) * descLength),
                               rows.begin() + ptrdiff_t(size_t(i + 1) * descLength));
            for (const auto &[text, weight] : texts.value(chunk[i].id))
                pairs.push_back({index, text, weight});
        }
        ctx.progress(std::min<qsizetype>(start + 256, training.size()), training.size(), QStringLiteral("decoding images for fitting"));
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("embed interrupted"));
    }

    BuiltinEncoderOptions opts;
    opts.dimension = settings.dimension;
    opts.regularization = settings.regularization;
    opts.seed = seed;
    ctx.progress(0, 1, QStringLiteral("fitting the built-in encoder on %1 images, %2 pairs").arg(described).arg(pairs.size()));
    auto enc = BuiltinEncoder::fitDescribed(descriptors, pairs, corpus, opts, ctx);
    if (!enc)
        return enc.error();
    if (Status s = (*enc)->save(modelPath); !s)
        return s.error();
    if (Status s = store.setMeta(kFitDigestKey, fitDigest); !s)
        return s.error();
    return enc;
}

Status encodeMissingImages(EmbeddingStore &emb, IEncoder &encoder, const QVector<ImageItem> &kept, QThreadPool *pool,
                           ProjectStore &issues, JobContext &ctx)
{
    QVector<ImageItem> todo;
    for (const ImageItem &item : kept)
        if (!emb.has(item.id))
            todo.push_back(item);
    // Decoding the next batch overlaps with encoding this one.
    QFuture<QList<QImage>> next;
    auto startDecode = [&](qsizetype start) {
        const QVector<ImageItem> chunk = todo.mid(start, kImageBatch);
        return QtConcurrent::run(pool, [chunk]() {
            QList<QImage> out;
            for (const ImageItem &item : chunk) {
                auto img = loadImageRgb(item.path, ProbeOptions{}, kEncodeSide);
                out.push_back(img ? img.value() : QImage());
            }
            return out;
        });
    };
    if (!todo.isEmpty())
        next = startDecode(0);
    for (qsizetype start = 0; start < todo.size(); start += kImageBatch) {
        const QVector<ImageItem> chunk = todo.mid(start, kImageBatch);
        const QList<QImage> decoded = next.result();
        if (start + kImageBatch < todo.size())
            next = startDecode(start + kImageBatch);
        QVector<qint64> ids;
        QList<QImage> images;
        for (int i = 0; i < chunk.size(); ++i) {
            if (decoded[i].isNull()) {
                recordImageIssue(issues, ctx, QStringLiteral("embed"), JobIssue{Severity::Warning, QStringLiteral("image failed to decode for embedding"), chunk[i].id, chunk[i].path});
                continue;
            }
            ids.push_back(chunk[i].id);
            images.push_back(decoded[i]);
        }
        if (!images.isEmpty()) {
            auto m = encoder.encodeImages(images, ctx);
            if (!m)
                return m.error();
            if (Status s = emb.put(ids, *m); !s)
                return s;
        }
        ctx.progress(std::min<qsizetype>(start + kImageBatch, todo.size()), todo.size(), QStringLiteral("embedding images"));
        if (ctx.isCanceled()) {
            if (next.isValid())
                next.waitForFinished();
            if (Status s = emb.flush(); !s)
                return s;
            return makeError(ErrorCode::Canceled, QStringLiteral("embed interrupted; vectors computed so far are kept"));
        }
    }
    return emb.flush();
}

Status encodeMissingSentences(EmbeddingStore &emb, IEncoder &encoder, ProjectStore &store, const ShardSpec *shard, JobContext &ctx)
{
    auto q = store.exec(QStringLiteral("SELECT s.id, s.text, d.doc_key FROM sentences s JOIN documents d ON d.id = s.document_id"
                                       " WHERE s.reject_reason IS NULL ORDER BY s.id"));
    if (!q)
        return q.error();
    QVector<qint64> ids;
    QStringList texts;
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        if (shard && shardOf(q->value(2).toString(), shard->count) != shard->index)
            continue;
        if (!emb.has(id)) {
            ids.push_back(id);
            texts.push_back(q->value(1).toString());
        }
    }
    for (qsizetype start = 0; start < ids.size(); start += kTextBatch) {
        auto m = encoder.encodeTexts(texts.mid(start, kTextBatch), ctx);
        if (!m)
            return m.error();
        if (Status s = emb.put(ids.mid(start, kTextBatch), *m); !s)
            return s;
        ctx.progress(std::min<qsizetype>(start + kTextBatch, ids.size()), ids.size(), QStringLiteral("embedding sentences"));
        if (ctx.isCanceled()) {
            if (Status s = emb.flush(); !s)
                return s;
            return makeError(ErrorCode::Canceled, QStringLiteral("embed interrupted; vectors computed so far are kept"));
        }
    }
    return emb.flush();
}

// Near-duplicate images by embedding: each image's nearest neighbours above
// the threshold become stored pairs; the image decision kernel groups them
// over the surviving images (the curator's keeper, else the largest, keeps), now and on
// every later re-decision of the extract filters.
Status storeEmbeddingPairs(EmbeddingStore &emb, const QVector<ImageItem> &kept, const Recipe &recipe, ProjectStore &store,
                           JobContext &ctx)
{
    QVector<qint64> ids;
    for (const ImageItem &item : kept)
        if (emb.has(item.id))
            ids.push_back(item.id);
    std::vector<SimilarPair> pairs;
    const EmbedSettings settings = EmbedSettings::fromRecipe(recipe);
    if (settings.dedup) {
        auto found = embeddingDuplicatePairs(emb.get(ids), ids, float(settings.dedupThreshold));
        if (!found)
            return found.error();
        pairs = std::move(*found);
    }
    {
        Transaction tx(store);
        if (auto r = store.exec(QStringLiteral("DELETE FROM image_pairs WHERE kind = 'embedding'")); !r)
            return r.error();
        auto insert = store.prepare(QStringLiteral("INSERT OR IGNORE INTO image_pairs(kind, a, b, score) VALUES('embedding', ?, ?, ?)"));
        if (!insert)
            return insert.error();
        for (const SimilarPair &p : pairs)
            if (Status s = store.execPrepared(*insert, {p.a, p.b, double(p.similarity)}); !s)
                return s;
        if (Status s = tx.commit(); !s)
            return s;
    }
    if (Status s = redecideImages(store, recipe, ctx); !s)
        return s;
    auto n = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE reject_reason = 'embedding_duplicate'"));
    if (!n)
        return n.error();
    ctx.progress(1, 1, QStringLiteral("embedding near-duplicates: %1").arg(n->toLongLong()));
    return {};
}

} // namespace

QString EmbedStage::savedFitDigest(ProjectStore &store)
{
    return store.meta(kFitDigestKey);
}

Result<StageEncoder> EmbedStage::prepareEncoder(ProjectStore &store, const Recipe &recipe, Fit fit, JobContext &ctx)
{
    const QString model = EmbedSettings::fromRecipe(recipe).model;
    StageEncoder out;
    if (model == QLatin1String("builtin")) {
        auto kept = keptImages(store);
        if (!kept)
            return kept.error();
        QThreadPool pool;
        pool.setMaxThreadCount(workerThreads(ctx));
        auto enc = fitBuiltin(store, recipe, *kept, &pool, fit, ctx);
        if (!enc)
            return enc.error();
        out.encoder = *enc;
        // Each fit is its own space: the name carries a digest of the fitted
        // model so vectors of an older fit are never mixed with new ones.
        QFile f(BuiltinEncoder::projectModelPath(store));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::IoError, QStringLiteral("cannot read the fitted model: ") + f.errorString(), f.fileName());
        out.name = out.encoder->info().name + QLatin1Char('@')
            + QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha1).toHex().left(12));
    } else if (model.startsWith(QLatin1String("imported:"))) {
        out.name = model.mid(9);
        return out;
    } else {
        auto enc = openEncoderFolder(model, recipe);
        if (!enc)
            return enc.error();
        out.encoder = *enc;
        out.name = out.encoder->info().name;
    }
    out.dimension = out.encoder->info().dimension;
    return out;
}

Status EmbedStage::encodeItems(ProjectStore &source, IEncoder &encoder, EmbeddingStore &images, EmbeddingStore &sentences,
                               const ShardSpec *shard, ProjectStore &issues, JobContext &ctx)
{
    auto kept = keptImages(source);
    if (!kept)
        return kept.error();
    if (shard)
        kept->removeIf([shard](const ImageItem &item) { return shardOf(item.key, shard->count) != shard->index; });
    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));
    if (Status s = encodeMissingImages(images, encoder, *kept, &pool, issues, ctx); !s)
        return s;
    return encodeMissingSentences(sentences, encoder, source, shard, ctx);
}

Status EmbedStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto kept = keptImages(store);
    if (!kept)
        return kept.error();
    auto prepared = prepareEncoder(store, recipe, Fit::IfNeeded, ctx);
    if (!prepared)
        return prepared.error();
    const std::shared_ptr<IEncoder> encoder = prepared->encoder;
    const QString encoderName = prepared->name;

    const QString dir = EmbeddingStore::projectDir(store);
    Result<std::unique_ptr<EmbeddingStore>> images = encoder
        ? EmbeddingStore::open(dir, QStringLiteral("images"), encoderName, prepared->dimension)
        : EmbeddingStore::openExisting(dir, QStringLiteral("images"));
    if (!images)
        return images.error();
    Result<std::unique_ptr<EmbeddingStore>> sentences = encoder
        ? EmbeddingStore::open(dir, QStringLiteral("sentences"), encoderName, prepared->dimension)
        : EmbeddingStore::openExisting(dir, QStringLiteral("sentences"));
    if (!sentences)
        return sentences.error();
    if (!encoder && ((*images)->encoder() != encoderName || (*sentences)->encoder() != encoderName))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("imported embeddings are from '%1', recipe says '%2'").arg((*images)->encoder(), encoderName));

    if (encoder)
        if (Status s = encodeItems(store, *encoder, **images, **sentences, nullptr, store, ctx); !s)
            return s;
    if (Status s = store.setMeta(QStringLiteral("embed.encoder"), encoderName); !s)
        return s;
    if (encoder)
        if (Status s = store.setMeta(QStringLiteral("embed.encoder_info"), encoder->info().preprocessing); !s)
            return s;
    if (Status s = store.setMeta(QStringLiteral("embed.clip_family"),
                                 encoder && encoder->info().clipFamily ? QStringLiteral("true") : QStringLiteral("false"));
        !s)
        return s;
    return storeEmbeddingPairs(**images, *kept, recipe, store, ctx);
}

} // namespace rs
