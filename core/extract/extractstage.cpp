#include "core/extract/extractstage.h"

#include "core/extract/imageprobe.h"
#include "core/extract/detail/imagedecoder.h"
#include "core/extract/imagefilters.h"
#include "core/extract/sentencefilters.h"
#include "core/generate/iexpert.h"
#include "core/plugin/pluginmanager.h"
#include "core/pipeline/issuelog.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent>

#include <cmath>

namespace rs {

namespace {

constexpr int kProbeBatch = 64;

} // namespace

bool ExtractStage::quickToRerun(ProjectStore &store) const
{
    auto unprobed = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 0 AND path IS NOT NULL"));
    return unprobed && unprobed->toLongLong() == 0;
}

Status ExtractStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    // Ctrl-C is honoured between the phases too: each decision pass is one
    // transaction, so stopping between them leaves consistent verdicts.
    const auto interrupted = [&ctx]() { return ctx.isCanceled(); };
    const auto canceled = []() { return makeError(ErrorCode::Canceled, QStringLiteral("extract interrupted; probed images are kept")); };
    if (Status s = probeImages(store, recipe, ctx); !s)
        return s;
    if (interrupted())
        return canceled();
    if (ImageFilterSettings::fromRecipe(recipe).maxBrisque > 0)
        if (Status s = scoreQuality(store, recipe, ctx); !s)
            return s;
    if (interrupted())
        return canceled();
    if (Status s = decideImages(store, recipe, ctx); !s)
        return s;
    if (interrupted())
        return canceled();
    return decideSentences(store, recipe, ctx);
}

Status ExtractStage::probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto total = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 0 AND path IS NOT NULL"));
    if (!total)
        return total.error();
    const qint64 todo = total->toLongLong();
    if (todo == 0)
        return {};
    // A broken install must not be recorded as thousands of undecodable images.
    if (const QString why = detail::imageDecoderUnavailable(); !why.isEmpty())
        return makeError(ErrorCode::Unsupported, why);

    ProbeOptions options;
    ExtractSettings settings;
    readSettings(recipe, settings);
    options.maxPixels = settings.images.maxPixels;
    options.maxFileBytes = settings.maxFileBytes;
    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));

    qint64 done = 0;
    qint64 lastId = 0;
    using Item = std::pair<qint64, QString>;
    // Keyset pagination (ids above the previous batch's), and each batch
    // committed whole: an interrupted run resumes where it stopped.
    const auto nextBatch = [&]() -> Result<QVector<Item>> {
        auto q = store.exec(QStringLiteral("SELECT id, path FROM images WHERE probed = 0 AND path IS NOT NULL AND id > ?"
                                           " ORDER BY id LIMIT %1").arg(kProbeBatch),
                            {lastId});
        if (!q)
            return q.error();
        QVector<Item> batch;
        while (q->next())
            batch.push_back({q->value(0).toLongLong(), q->value(1).toString()});
        if (!batch.isEmpty())
            lastId = batch.back().first;
        return batch;
    };
    const auto probeAll = [&pool, options](const QVector<Item> &batch) {
        return QtConcurrent::mapped(&pool, batch, [options](const Item &item) { return probeImageFile(item.second, options); });
    };
    // The next batch is queued on the pool before this one is awaited: a
    // worker that finishes early starts on it instead of waiting for the
    // batch's largest image, and the writes below overlap the decoding.
    auto first = nextBatch();
    if (!first)
        return first.error();
    QVector<Item> batch = std::move(first.value());
    QFuture<ImageProbe> running = probeAll(batch);
    const auto stopRunning = [&running]() {
        running.cancel();
        running.waitForFinished();
    };
    while (!batch.isEmpty() && !ctx.isCanceled()) {
        auto following = nextBatch();
        if (!following) {
            stopRunning();
            return following.error();
        }
        QFuture<ImageProbe> queued = following->isEmpty() ? QFuture<ImageProbe>() : probeAll(following.value());
        const QList<ImageProbe> probes = running.results();

        Transaction tx(store);
        auto update = store.prepare(QStringLiteral("UPDATE images SET probed = 1, failure = ?, detail = ?, width = ?, height = ?,"
                                                   " bytes = ?, format = ?, sha256 = ?, phash = ? WHERE id = ?"));
        Status written = update ? Status() : Status(update.error());
        for (int i = 0; written && i < batch.size(); ++i) {
            const ImageProbe &p = probes[i];
            written = store.execPrepared(*update, {p.failure.isEmpty() ? QVariant() : QVariant(p.failure), p.detail, p.width, p.height,
                                                   p.bytes, p.format, QString::fromLatin1(p.sha256), qint64(p.phash), batch[i].first});
            if (written && !p.failure.isEmpty())
                recordImageIssue(store, ctx, QStringLiteral("extract"), JobIssue{Severity::Warning, p.failure + QStringLiteral(": ") + p.detail, batch[i].first, batch[i].second});
        }
        if (written)
            written = tx.commit();
        running = queued;
        if (!written) {
            stopRunning();
            return written;
        }
        done += batch.size();
        ctx.progress(done, todo, QStringLiteral("probing images"));
        batch = std::move(following.value());
    }
    stopRunning();
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("extract interrupted; probed images are kept"));
    return {};
}

Status ExtractStage::scoreQuality(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    // The quality expert (plugins/expert_opencv) scores; one instance per
    // worker thread, as experts are not thread-safe.
    std::shared_ptr<IExpertFactory> factory;
    for (IExpertPlugin *plugin : sharedPlugins().objects<IExpertPlugin>())
        for (const auto &f : plugin->factories())
            if (f->kind() == QLatin1String("quality") && !factory)
                factory = f;
    if (!factory)
        return makeError(ErrorCode::Unsupported, QStringLiteral("extract.max_brisque needs the quality expert plugin (expert_opencv), which was not found"));
    if (Status s = factory->initialize({}); !s)
        return s;
    auto total = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 1 AND failure IS NULL AND brisque IS NULL"));
    if (!total)
        return total.error();
    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));
    QMutex mutex;
    std::vector<std::unique_ptr<IExpert>> idle;
    qint64 done = 0;
    while (!ctx.isCanceled()) {
        auto q = store.exec(QStringLiteral("SELECT id, path FROM images WHERE probed = 1 AND failure IS NULL AND brisque IS NULL"
                                           " ORDER BY id LIMIT %1").arg(kProbeBatch));
        if (!q)
            return q.error();
        QVector<std::pair<qint64, QString>> batch;
        while (q->next())
            batch.push_back({q->value(0).toLongLong(), q->value(1).toString()});
        if (batch.isEmpty())
            break;
        const QVector<double> scores = QtConcurrent::blockingMapped<QVector<double>>(&pool, batch, [&](const std::pair<qint64, QString> &item) {
            std::unique_ptr<IExpert> expert;
            {
                QMutexLocker lock(&mutex);
                if (!idle.empty()) {
                    expert = std::move(idle.back());
                    idle.pop_back();
                }
            }
            if (!expert)
                expert = factory->create();
            double score = -1; // unscorable: recorded so it is not retried, never dropped for it
            if (auto img = loadImageRgb(item.second); img && expert) {
                if (auto f = expert->analyze(img.value()); f && !f->isEmpty())
                    score = f->front().value;
            }
            QMutexLocker lock(&mutex);
            idle.push_back(std::move(expert));
            return score;
        });
        Transaction tx(store);
        auto update = store.prepare(QStringLiteral("UPDATE images SET brisque = ? WHERE id = ?"));
        if (!update)
            return update.error();
        for (int i = 0; i < batch.size(); ++i)
            if (Status s = store.execPrepared(*update, {scores[i], batch[i].first}); !s)
                return s;
        if (Status s = tx.commit(); !s)
            return s;
        done += batch.size();
        ctx.progress(done, total->toLongLong(), QStringLiteral("scoring image quality"));
    }
    if (ctx.isCanceled())
        return makeError(ErrorCode::Canceled, QStringLiteral("extract interrupted; scores so far are kept"));
    return {};
}

Status ExtractStage::decideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    return redecideImages(store, recipe, ctx);
}

Status ExtractStage::decideSentences(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    return redecideSentences(store, recipe, ctx);
}

} // namespace rs
