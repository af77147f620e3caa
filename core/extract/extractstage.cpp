#include "core/extract/extractstage.h"

#include "core/extract/imageprobe.h"
#include "core/extract/imagefilters.h"
#include "core/extract/sentencefilters.h"
#include "core/generate/iexpert.h"
#include "core/plugin/pluginmanager.h"
#include "core/pipeline/issuelog.h"
#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"
#include "core/util/batchmalloc.h"
#include "core/util/feederpool.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <deque>

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
    // No sentence verdict depends on an image: decide them while the workers
    // decode, instead of on one core after the last image (a sixth of
    // extract's wall time on the demo corpus).
    bool sentencesDecided = false;
    const auto sentencesNow = [&]() {
        sentencesDecided = true;
        return decideSentences(store, recipe, ctx);
    };
    if (Status s = probeImages(store, recipe, ctx, sentencesNow); !s)
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
    return sentencesDecided ? Status() : decideSentences(store, recipe, ctx);
}

Status ExtractStage::probeImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx, const std::function<Status()> &alongside)
{
    auto total = store.scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 0 AND path IS NOT NULL"));
    if (!total)
        return total.error();
    const qint64 todo = total->toLongLong();
    if (todo == 0)
        return {};
    // A broken install must not be recorded as thousands of undecodable
    // images: a missing image module stops the stage here, and one that does
    // not load stops it before a batch that needed it is written (below).
    // None is opened here: the reader module loads as the workers start, the
    // hash module on this thread once they decode (their hashes wait for it,
    // see startImageProbe), and the probe and codecs modules only for what
    // the reader's own PNG and JPEG decoders decline.
    if (const QString why = imageProbeMissing(); !why.isEmpty())
        return makeError(ErrorCode::Unsupported, why);

    ProbeOptions options;
    ExtractSettings settings;
    readSettings(recipe, settings);
    options.maxPixels = settings.images.maxPixels;
    options.maxFileBytes = settings.maxFileBytes;
    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));
    // Huge pages for the decoders' buffers (core/util/batchmalloc.h), and
    // the reader module loaded and each thread readied before the probe
    // module's load below (imageprobe.h, prepareImageProbeThread).
    startFeederThreads(pool, [] {
        preferHugePagesForThisThread();
        prepareImageProbeThread();
    });

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
    struct InFlight {
        QVector<Item> items;
        QFuture<ImageProbe> probes;
    };
    // Batches queued on the pool ahead of the one being written: a worker
    // that finishes early starts on the next instead of waiting for a
    // batch's largest image, and the writes overlap the decoding. Before
    // `alongside` runs, enough is queued to keep every worker busy through it,
    // its commit's checkpoint included: with 8 batches (64 images each) the
    // demo's workers ran dry while the sentence pass waited on fdatasync, and
    // with 2 after it they sometimes waited on the writer (perf sched: 45-65
    // ms of idle core time in a run, 28 with 16 and 3).
    std::deque<InFlight> inFlight;
    bool exhausted = false;
    const auto fill = [&](size_t depth) -> Status {
        while (!exhausted && inFlight.size() < depth) {
            auto batch = nextBatch();
            if (!batch)
                return batch.error();
            if (batch->isEmpty()) {
                exhausted = true;
                break;
            }
            QFuture<ImageProbe> probes = QtConcurrent::mapped(&pool, batch.value(), [options](const Item &item) {
                return startImageProbe(item.second, options);
            });
            inFlight.push_back({std::move(batch.value()), std::move(probes)});
        }
        return {};
    };
    const auto stopAll = [&inFlight]() {
        for (InFlight &f : inFlight)
            f.probes.cancel();
        for (InFlight &f : inFlight)
            f.probes.waitForFinished();
    };
    constexpr size_t kDepth = 3;
    constexpr size_t kDepthAlongside = 16;
    // Written natively and prepared once, like the sentence verdicts: nine
    // QVariants per image through QSqlQuery, and a prepare per batch, cost
    // ~15 ms of the demo corpus's extract (1,963 images).
    auto update = NativeStatement::prepare(store, "UPDATE images SET probed = 1, failure = ?, detail = ?, width = ?, height = ?,"
                                                  " bytes = ?, format = ?, sha256 = ?, phash = ? WHERE id = ?");
    if (!update)
        return update.error();
    Status status = fill(alongside ? kDepthAlongside : kDepth);
    if (status && alongside)
        status = alongside();
    // The hash module (OpenCV: ~25 ms of dynamic loading) loads here, while
    // the workers decode: the image module used to load on the first
    // worker's first image, with the other worker waiting for it and a core
    // idle.
    if (const QString why = status ? imageHashUnavailable() : QString(); !why.isEmpty())
        status = makeError(ErrorCode::Unsupported, why);
    while (status && !inFlight.empty() && !ctx.isCanceled()) {
        status = fill(kDepth);
        if (!status)
            break;
        const InFlight current = std::move(inFlight.front());
        inFlight.pop_front();
        QList<ImageProbe> probes = current.probes.results();
        for (ImageProbe &p : probes)
            finishImageProbe(p);
        // Only an image that failed to decode may have needed the module: a
        // missing or oversized file must not open it.
        const bool anyUndecoded = std::any_of(probes.cbegin(), probes.cend(),
                                              [](const ImageProbe &p) { return p.failure == QLatin1String("decode_failed"); });
        if (const QString why = anyUndecoded ? imageCodecsUnavailable() : QString(); !why.isEmpty()) {
            status = makeError(ErrorCode::Unsupported, why);
            break;
        }

        Transaction tx(store);
        for (int i = 0; status && i < current.items.size(); ++i) {
            const ImageProbe &p = probes[i];
            // Null texts bind NULL, as QSqlQuery binds a null QString.
            status = update->bind(0, p.failure.isEmpty() ? QString() : p.failure)
                         .bind(1, p.detail)
                         .bind(2, p.width)
                         .bind(3, p.height)
                         .bind(4, p.bytes)
                         .bind(5, p.format)
                         .bind(6, QString::fromLatin1(p.sha256))
                         .bind(7, qint64(p.phash))
                         .bind(8, current.items[i].first)
                         .exec();
            if (status && !p.failure.isEmpty())
                recordImageIssue(store, ctx, QStringLiteral("extract"), JobIssue{Severity::Warning, p.failure + QStringLiteral(": ") + p.detail, current.items[i].first, current.items[i].second});
        }
        if (status)
            status = tx.commit();
        if (!status)
            break;
        done += current.items.size();
        ctx.progress(done, todo, QStringLiteral("probing images"));
    }
    stopAll();
    if (!status)
        return status;
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
    // Images are decoded for the expert in the image module: without it every
    // image would be recorded as unscorable.
    if (const QString why = imageProbeUnavailable(); !why.isEmpty())
        return makeError(ErrorCode::Unsupported, why);
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
            // -1, unscorable: recorded so it is not retried, never dropped for it
            const double score = expert ? scoreImageFile(*expert, item.second) : -1;
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
