#include "core/generate/generatestage.h"

#include "core/generate/groundstage.h"

#include "core/embed/activeencoder.h"
#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/extract/extractstage.h"
#include "core/extract/imageprobe.h"
#include "core/generate/builtingenerator.h"
#include "core/generate/detail/expertpool.h"
#include "core/generate/iexpert.h"
#include "core/generate/igenerator.h"
#include "core/generate/tagexpert.h"
#include "core/embed/builtinencoder.h"
#include "core/plugin/pluginmanager.h"
#include "core/pipeline/issuelog.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"
#include "core/index/evalsplits.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QThreadPool>
#include <QtConcurrent>

#include <condition_variable>
#include <optional>
#include <thread>

namespace rs {

namespace {

constexpr int kBatch = 16;
// Images for network captioners travel downscaled; experts see full size.
constexpr int kTransportSide = 768;

using detail::ExpertPool;

struct Item {
    qint64 id = 0;
    QString path, sha256;
    QStringList realistic;
    QImage image;
    Findings findings;
    QString caption;
    QString error;
};

// The corpus's own recurring short phrases from alt texts and captions,
// which name what images show ("layer dialog", "brush"), for the tag
// vocabulary next to the WordNet nouns.
// Runs one batch through the generator under the stage's deadline. The
// generator sees a context of its own that is canceled when the user
// cancels or the deadline passes, so requests in flight stop either way
// (backends poll isCanceled()); *expired tells the two apart.
QVector<Result<GeneratedText>> generateWithin(IGenerator &generator, const QVector<GenerationInput> &inputs, JobContext &ctx,
                                              const QDeadlineTimer &deadline, bool *expired)
{
    JobContext batchCtx([&ctx](qint64 done, qint64 total, const QString &what) { ctx.progress(done, total, what); },
                        [&ctx](const JobIssue &issue) { ctx.report(issue); });
    batchCtx.setThreads(ctx.threads());
    std::mutex m;
    std::condition_variable cv;
    bool finished = false;
    std::thread watcher([&] {
        std::unique_lock lock(m);
        while (!finished) {
            if (ctx.isCanceled() || deadline.hasExpired()) {
                batchCtx.cancel();
                return;
            }
            cv.wait_for(lock, std::chrono::milliseconds(50));
        }
    });
    auto texts = generator.generate(inputs, batchCtx);
    {
        std::lock_guard lock(m);
        finished = true;
    }
    cv.notify_one();
    watcher.join();
    *expired = batchCtx.isCanceled() && !ctx.isCanceled();
    return texts;
}

Result<QStringList> corpusPhrases(ProjectStore &store)
{
    static const QRegularExpression figure(QStringLiteral("^(figure|fig\\.|table)\\s*[0-9.]+\\s*"), QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression nonWord(QStringLiteral("[^\\p{L}\\p{N} ]+"));
    auto q = store.exec(QStringLiteral("SELECT text FROM sentences WHERE kind IN ('alt', 'caption', 'title')"));
    if (!q)
        return q.error();
    QHash<QString, int> counts;
    while (q->next()) {
        QString t = q->value(0).toString().toLower();
        t.remove(figure);
        t.replace(nonWord, QStringLiteral(" "));
        const QStringList words = t.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (!words.isEmpty() && words.size() <= 3)
            ++counts[words.join(QLatin1Char(' '))];
    }
    QStringList phrases;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() >= 3 && it.key().size() >= 3)
            phrases << it.key();
    phrases.sort();
    return phrases;
}

// Zero-shot tags with the active encoder. CLIP-family encoders use the
// standard threshold; the built-in encoder only knows corpus words, so its
// vocabulary is restricted to them and its threshold is calibrated on
// held-out alt texts and captions. When no threshold reaches the precision
// target, tags stay off: noise must not reach the synthetic text.
std::shared_ptr<IExpertFactory> tagExpert(ProjectStore &store, const Recipe &recipe, const std::shared_ptr<IEncoder> &encoder,
                                          JobContext &ctx)
{
    const GenerateSettings settings = GenerateSettings::fromRecipe(recipe);
    if (settings.tags == QLatin1String("off") || !encoder)
        return {};
    auto base = TagExpertFactory::builtinVocabulary();
    auto phrases = corpusPhrases(store);
    if (!base || !phrases) {
        ctx.warn(QStringLiteral("tags off: no vocabulary"));
        return {};
    }
    TagExpertFactory::KnowsTerm knows;
    if (auto builtin = std::dynamic_pointer_cast<BuiltinEncoder>(encoder)) {
        knows = [builtin](const QString &term) {
            const QStringList words = term.split(QLatin1Char(' '), Qt::SkipEmptyParts);
            return !words.isEmpty() && std::all_of(words.begin(), words.end(), [&](const QString &w) { return builtin->knowsWord(w); });
        };
    }
    int dropped = 0;
    const QStringList vocabulary = TagExpertFactory::buildVocabulary(*base, *phrases, knows, &dropped);
    auto factory = std::make_shared<TagExpertFactory>(encoder, vocabulary, knows);

    if (!encoder->info().clipFamily) {
        // Calibrate on held-out images with known texts. The result is kept
        // in the project's meta with a key of everything it was measured on
        // (the encoder, its vocabulary, the held-out images and texts, the
        // target), and reused while that key holds: the barrier job before
        // generate's shards calibrates once, and the shards and the merge
        // read it (a shard cannot write the project).
        const double holdout = EmbedSettings::fromRecipe(recipe).holdout;
        const quint64 seed = GlobalSettings::fromRecipe(recipe).seed;
        auto q = store.exec(QStringLiteral("SELECT g.image_id, i.path, i.sha256, s.text FROM ground_truth g JOIN images i ON i.id = g.image_id"
                                           " JOIN sentences s ON s.id = g.sentence_id WHERE i.reject_reason IS NULL ORDER BY g.image_id"));
        if (!q) {
            ctx.warn(QStringLiteral("tags off: ") + q.error().toString());
            return {};
        }
        struct Held {
            QString path;
            QStringList texts;
        };
        QVector<qint64> heldIds;
        QHash<qint64, Held> held;
        QCryptographicHash key(QCryptographicHash::Sha256);
        key.addData(QStringLiteral("%1|%2|%3|%4|%5|").arg(encoder->info().name, EmbedStage::savedFitDigest(store)).arg(holdout).arg(seed)
                        .arg(settings.tagPrecision).toUtf8());
        key.addData(factory->vocabulary().join(QLatin1Char('\n')).toUtf8());
        while (q->next()) {
            const qint64 id = q->value(0).toLongLong();
            if (!isHeldOut(id, holdout, seed))
                continue;
            if (!held.contains(id)) {
                heldIds << id;
                held.insert(id, Held{q->value(1).toString(), {}});
            }
            held[id].texts << q->value(3).toString();
            key.addData(QString(QStringLiteral("|%1:%2:").arg(id).arg(q->value(2).toString()) + q->value(3).toString()).toUtf8());
        }
        const QString calibrationKey = QString::fromLatin1(key.result().toHex());
        const QJsonObject saved = QJsonDocument::fromJson(store.meta(QStringLiteral("experts.tag_calibration")).toUtf8()).object();
        std::optional<TagCalibration> calibration;
        if (saved.value(QStringLiteral("key")).toString() == calibrationKey) {
            calibration = TagCalibration::fromJson(saved);
        } else {
            QList<QImage> images;
            QVector<QStringList> texts;
            for (qint64 id : std::as_const(heldIds)) {
                if (images.size() >= 400)
                    break;
                auto img = loadImageRgb(held[id].path, ProbeOptions{}, 320);
                if (!img)
                    continue;
                images << img.value();
                texts << held[id].texts;
            }
            TagCalibrationOptions opts;
            opts.targetPrecision = settings.tagPrecision;
            auto measured = images.isEmpty() ? Result<TagCalibration>(makeError(ErrorCode::NotFound, QStringLiteral("no held-out images with texts")))
                                             : TagExpertFactory::calibrate(*encoder, factory->vocabulary(), images, texts, opts, &ctx);
            if (!measured) {
                ctx.warn(QStringLiteral("tags off: calibration failed: ") + measured.error().toString());
                return {};
            }
            QJsonObject json = measured->toJson();
            json.insert(QStringLiteral("key"), calibrationKey);
            // Used as stored, so a run that calibrates and one that reads the
            // stored calibration tag with exactly the same numbers.
            calibration = TagCalibration::fromJson(json);
            if (Status s = store.setMeta(QStringLiteral("experts.tag_calibration"), QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)));
                !s)
                ctx.warn(QStringLiteral("tag calibration not stored (stats will not show it): ") + s.error().toString());
        }
        if (!calibration->enabled) {
            ctx.warn(QStringLiteral("tags off for this encoder: ") + calibration->reason);
            return {};
        }
        factory->setCalibration(*calibration);
    }
    if (Status s = factory->initialize({}); !s) {
        ctx.warn(QStringLiteral("tags off: ") + s.error().toString());
        return {};
    }
    return factory;
}

Result<std::shared_ptr<IGeneratorPlugin>> findGeneratorPlugin(const QString &backend)
{
    for (IGeneratorPlugin *p : sharedPlugins().objects<IGeneratorPlugin>())
        if (p->backend() == backend)
            return std::shared_ptr<IGeneratorPlugin>(std::shared_ptr<IGeneratorPlugin>{}, p); // owned by the plugin loader
    return makeError(ErrorCode::Unsupported, QStringLiteral("no generator plugin for backend '%1'").arg(backend));
}

QVariantMap httpOptions(const GenerateSettings &settings, const QString &model)
{
    return {{QStringLiteral("endpoint"), settings.endpoint},
            {QStringLiteral("model"), model},
            {QStringLiteral("concurrency"), settings.concurrency},
            {QStringLiteral("timeout_ms"), settings.timeoutMs},
            {QStringLiteral("retries"), settings.retries},
            {QStringLiteral("api_key_env"), settings.apiKeyEnv}};
}

QString findingsJson(const Findings &findings)
{
    QJsonArray a;
    for (const Finding &f : findings)
        a.append(f.toJson());
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

} // namespace

QString GenerateStage::environmentKey() const
{
    QStringList found;
    for (const PluginRecord &r : sharedPlugins().plugins())
        if (r.iid == QLatin1String(RealSyn_IExpertPlugin_iid) || r.iid == QLatin1String(RealSyn_IGeneratorPlugin_iid))
            found << r.metaData.value(QStringLiteral("name")).toString() + QLatin1Char('@') + r.metaData.value(QStringLiteral("version")).toString();
    found.sort();
    return found.join(QLatin1Char(','));
}

namespace {

// The findings generation reads for an image, in id order, as a single
// machine would hold them: `source`'s, with those of the experts just run
// (`ran`, written to `sink`) taken from `sink` after the rest (a rerun
// replaces an expert's rows, so they come last).
Result<Findings> readFindings(ProjectStore &source, ProjectStore &sink, qint64 imageId, const QStringList &ran)
{
    Findings out;
    const auto read = [&](ProjectStore &from, bool fresh) -> Status {
        auto f = from.exec(QStringLiteral("SELECT kind, level, x, y, w, h, label, confidence, expert FROM expert_findings WHERE image_id = ? ORDER BY id"),
                           {imageId});
        if (!f)
            return f.error();
        while (f->next()) {
            if (&source != &sink && ran.contains(f->value(8).toString()) != fresh)
                continue;
            Finding fd;
            fd.kind = f->value(0).toString();
            fd.level = f->value(1).toString();
            fd.box = QRectF(f->value(2).toDouble(), f->value(3).toDouble(), f->value(4).toDouble(), f->value(5).toDouble());
            fd.text = f->value(6).toString();
            fd.confidence = f->value(7).toDouble();
            out.push_back(fd);
        }
        return {};
    };
    if (Status s = read(source, false); !s)
        return s.error();
    if (&source != &sink && !ran.isEmpty())
        if (Status s = read(sink, true); !s)
            return s.error();
    return out;
}

// The stage's work for the kept images of `source` in `wanted` (null: all),
// reading the project from `source` and writing texts, tag runs and notes
// to `sink`: the project itself, or a shard store (source then opened
// read-only). What `source` already holds for unchanged inputs is reused.
Status generateImages(ProjectStore &source, ProjectStore &sink, const QSet<qint64> *wanted, const Recipe &recipe, JobContext &ctx,
                      qint64 *answered)
{
    // Kept images with their retrieved texts, best first.
    auto q = source.exec(QStringLiteral("SELECT i.id, i.path, i.sha256, s.text FROM images i"
                                       " LEFT JOIN retrievals r ON r.image_id = i.id LEFT JOIN sentences s ON s.id = r.sentence_id"
                                       " WHERE i.reject_reason IS NULL ORDER BY i.id, r.rank"));
    if (!q)
        return q.error();
    QVector<Item> items;
    while (q->next()) {
        const qint64 id = q->value(0).toLongLong();
        if (wanted && !wanted->contains(id))
            continue;
        if (items.isEmpty() || items.back().id != id)
            items.push_back(Item{id, q->value(1).toString(), q->value(2).toString(), {}, {}, {}, {}, {}});
        if (!q->value(3).isNull())
            items.back().realistic << q->value(3).toString();
    }
    if (answered)
        *answered = items.size();
    if (items.isEmpty())
        return {};

    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));
    // Similarity and tags need the active encoder; without one (imported
    // vectors) the texts are still written and stage 4 skips its band.
    auto encoder = openActiveEncoder(source, recipe);
    if (!encoder)
        ctx.warn(QStringLiteral("no similarity or tags for synthetic texts: ") + encoder.error().toString());
    // OCR, faces and quality were stored by the ground stage; only the tag
    // expert runs here, since it needs the encoder.
    QVector<std::shared_ptr<ExpertPool>> experts;
    if (auto tags = tagExpert(source, recipe, encoder ? *encoder : std::shared_ptr<IEncoder>(), ctx))
        experts.push_back(std::make_shared<ExpertPool>(tags));

    // Caption and generation roles.
    std::shared_ptr<ICaptioner> captioner;
    std::shared_ptr<IGenerator> generator;
    const GenerateSettings settings = GenerateSettings::fromRecipe(recipe);
    const QString &captionerName = settings.captioner;
    const QString &backend = settings.backend;
    std::shared_ptr<IGeneratorPlugin> plugin;
    if (backend == QLatin1String("openai") || captionerName == QLatin1String("openai")) {
        auto p = findGeneratorPlugin(QStringLiteral("openai"));
        if (!p)
            return p.error();
        plugin = *p;
    }
    if (captionerName == QLatin1String("builtin")) {
        captioner = std::make_shared<BuiltinCaptioner>();
    } else if (captionerName == QLatin1String("openai")) {
        const QString model = settings.captionModel.isEmpty() ? settings.model : settings.captionModel;
        auto c = plugin->createCaptioner(httpOptions(settings, model));
        if (!c)
            return c.error();
        captioner = *c;
    }
    if (backend == QLatin1String("builtin")) {
        generator = std::make_shared<BuiltinGenerator>();
    } else {
        auto g = plugin->createGenerator(httpOptions(settings, settings.model));
        if (!g)
            return g.error();
        generator = *g;
    }
    const QString instruction = settings.instruction.isEmpty() ? defaultGenerationInstruction() : settings.instruction;
    const QString promptVersion = settings.instruction.isEmpty()
        ? generationPromptVersion()
        : QStringLiteral("custom-") + QString::fromLatin1(QCryptographicHash::hash(instruction.toUtf8(), QCryptographicHash::Sha1).toHex().left(8));
    const QString generatorId = generator->name() + QLatin1Char('|') + settings.model;

    auto imageVectors = EmbeddingStore::openInProject(source, QStringLiteral("images"));

    // Tags that are now switched off must not feed new texts (the ground
    // stage clears the findings of its own experts the same way).
    if (experts.isEmpty()) {
        Transaction tx(sink);
        for (const char *table : {"expert_findings", "expert_runs"})
            if (auto r = sink.exec(QStringLiteral("DELETE FROM %1 WHERE expert = 'encoder-tags'").arg(QLatin1String(table))); !r)
                return r.error();
        if (Status s = tx.commit(); !s)
            return s;
    }
    // Pixels are needed only by the tag expert and by backends that look at
    // the image; the built-in writers work from stored findings alone.
    const bool pixelsForText = backend != QLatin1String("builtin")
        || (captionerName != QLatin1String("builtin") && captionerName != QLatin1String("none"));

    // A stored text is reused when its inputs are unchanged, and, where a
    // similarity can be computed, only if it has one: a row written without
    // it (an encoder failure) would otherwise never get one, and stage 4
    // would decide that image differently from an uninterrupted run.
    const bool canScore = encoder && imageVectors;
    QHash<qint64, QString> storedHash;
    auto g = source.exec(QStringLiteral("SELECT image_id, input_hash, similarity IS NOT NULL FROM generations WHERE error IS NULL"));
    if (!g)
        return g.error();
    while (g->next()) {
        const qint64 id = g->value(0).toLongLong();
        if (g->value(2).toBool() || !canScore || !(*imageVectors)->has(id))
            storedHash.insert(id, g->value(1).toString());
    }
    auto runs = loadExpertRunHashes(source);
    if (!runs)
        return runs.error();
    const ExpertRunHashes &expertHash = *runs;

    // Images are read whole to decode them: the recipe's size limit applies
    // here too (a file may have grown since it was probed).
    ProbeOptions probe;
    ExtractSettings extract;
    readSettings(recipe, extract);
    probe.maxFileBytes = extract.maxFileBytes;
    qint64 done = 0, reused = 0, failed = 0, succeeded = 0;
    QString lastError;
    // An overall budget for the stage (0 = none): a slow or stalled server
    // costs at most this long. Finished batches are kept; the next run
    // carries on where this one stopped.
    const qint64 deadlineSeconds = settings.deadlineSeconds;
    const QDeadlineTimer deadline = deadlineSeconds > 0 ? QDeadlineTimer(deadlineSeconds * 1000) : QDeadlineTimer(QDeadlineTimer::Forever);
    const auto deadlineError = [&] {
        return makeError(ErrorCode::IoError, QStringLiteral("generate stopped at its deadline (generate.deadline_s = %1) after %2 of %3 "
                                                            "images; texts written so far are kept, run again to go on")
                                                 .arg(deadlineSeconds)
                                                 .arg(done)
                                                 .arg(items.size()));
    };
    // Errors name the image, not the request's place in its batch ("item 3").
    const auto imageError = [](qint64 imageId, const Error &e) {
        const QString where = e.context.startsWith(QLatin1String("item ")) ? QString() : e.context;
        return QStringLiteral("image %1: %2").arg(imageId).arg(where.isEmpty() ? e.message : where + QStringLiteral(": ") + e.message);
    };
    for (qsizetype start = 0; start < items.size(); start += kBatch) {
        if (deadline.hasExpired())
            return deadlineError();
        QVector<Item> batch = items.mid(start, kBatch);

        // 1. Run the tag expert where its cached run is missing or stale,
        // decoding only the images that need pixels: those, and every image
        // for backends that look at it (a rerun with cached tags and the
        // built-in writers decodes nothing).
        struct ExpertJob {
            int item;
            std::shared_ptr<ExpertPool> pool;
            QString hash;
            Result<Findings> result = Findings{};
            bool cached = false;
        };
        QVector<ExpertJob> jobs;
        QVector<bool> decode(batch.size(), pixelsForText);
        for (int i = 0; i < batch.size(); ++i) {
            for (const auto &p : experts) {
                const QString hash = batch[i].sha256 + QLatin1Char('|') + p->factory().name() + QLatin1Char('|') + p->factory().version();
                const bool cached = expertHash.value({batch[i].id, p->factory().name()}) == hash;
                jobs.push_back(ExpertJob{i, p, hash, Findings{}, cached});
                decode[i] = decode[i] || !cached;
            }
        }
        QVector<int> toDecode;
        for (int i = 0; i < batch.size(); ++i)
            if (decode[i])
                toDecode << i;
        QtConcurrent::blockingMap(&pool, toDecode, [&](int i) {
            Item &item = batch[i];
            auto img = loadImageRgb(item.path, probe);
            if (!img) {
                item.error = img.error().toString();
                return;
            }
            item.image = img.value();
        });
        jobs.erase(std::remove_if(jobs.begin(), jobs.end(), [&](const ExpertJob &j) { return !batch[j.item].error.isEmpty(); }), jobs.end());
        QtConcurrent::blockingMap(&pool, jobs, [&](ExpertJob &job) {
            if (job.cached)
                return;
            auto expert = job.pool->acquire();
            if (!expert) {
                job.result = makeError(ErrorCode::Internal, QStringLiteral("expert could not be created"));
                return;
            }
            job.result = expert->analyze(batch[job.item].image);
            job.pool->release(std::move(expert));
        });
        QHash<int, QStringList> ran; // item -> experts run (not cached) in this batch
        {
            Transaction tx(sink);
            for (ExpertJob &job : jobs) {
                Item &item = batch[job.item];
                const QString expertName = job.pool->factory().name();
                if (!job.cached) {
                    if (!job.result)
                        recordImageIssue(sink, ctx, QStringLiteral("generate"), JobIssue{Severity::Warning, expertName + QStringLiteral(": ") + job.result.error().toString(), item.id, item.path});
                    if (Status s = storeExpertRun(sink, item.id, expertName, job.hash, job.result); !s)
                        return s;
                    ran[job.item] << expertName;
                }
            }
            if (Status s = tx.commit(); !s)
                return s;
        }
        // Every image's findings, cached or new, as stored.
        for (int i = 0; i < batch.size(); ++i) {
            auto f = readFindings(source, sink, batch[i].id, ran.value(i));
            if (!f)
                return f.error();
            batch[i].findings = std::move(*f);
        }

        // 2. Captions.
        if (captioner) {
            QVector<CaptionInput> inputs;
            QVector<int> index;
            for (int i = 0; i < batch.size(); ++i) {
                if (!batch[i].error.isEmpty())
                    continue;
                CaptionInput in;
                in.imageId = batch[i].id;
                if (captionerName != QLatin1String("builtin"))
                    in.image = batch[i].image.width() > kTransportSide || batch[i].image.height() > kTransportSide
                        ? batch[i].image.scaled(kTransportSide, kTransportSide, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                        : batch[i].image;
                in.findings = batch[i].findings;
                inputs.push_back(in);
                index.push_back(i);
            }
            const auto captions = captioner->caption(inputs, ctx);
            for (int k = 0; k < index.size() && k < captions.size(); ++k) {
                if (captions[k])
                    batch[index[k]].caption = captions[k].value();
                else
                    recordImageIssue(sink, ctx, QStringLiteral("generate"),
                                     JobIssue{Severity::Warning, QStringLiteral("caption: ") + imageError(batch[index[k]].id, captions[k].error()),
                                              batch[index[k]].id, {}});
            }
        }

        // 3. Synthetic texts, skipping unchanged inputs.
        QVector<GenerationInput> inputs;
        QVector<int> index;
        QVector<QString> hashes;
        for (int i = 0; i < batch.size(); ++i) {
            Item &item = batch[i];
            if (!item.error.isEmpty()) {
                recordImageIssue(sink, ctx, QStringLiteral("generate"), JobIssue{Severity::Warning, item.error, item.id, item.path});
                continue;
            }
            GenerationInput in;
            in.imageId = item.id;
            in.realisticTexts = item.realistic;
            in.caption = item.caption;
            in.findings = item.findings;
            in.instruction = instruction;
            for (const Finding &f : item.findings)
                if (f.kind == QLatin1String("tag"))
                    in.tags << f.text;
            const QByteArray key = QJsonDocument(QJsonObject{{QStringLiteral("texts"), QJsonArray::fromStringList(in.realisticTexts)},
                                                             {QStringLiteral("caption"), in.caption},
                                                             {QStringLiteral("findings"), findingsJson(in.findings)},
                                                             {QStringLiteral("instruction"), instruction},
                                                             {QStringLiteral("generator"), generatorId}})
                                       .toJson(QJsonDocument::Compact);
            const QString hash = QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex());
            if (storedHash.value(item.id) == hash) {
                ++reused;
                continue;
            }
            if (backend != QLatin1String("builtin"))
                in.image = item.image.width() > kTransportSide || item.image.height() > kTransportSide
                    ? item.image.scaled(kTransportSide, kTransportSide, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                    : item.image;
            inputs.push_back(in);
            index.push_back(i);
            hashes.push_back(hash);
        }
        bool expired = false;
        const auto texts = generateWithin(*generator, inputs, ctx, deadline, &expired);
        // Cut short by the deadline: like a cancel, nothing of the batch is saved.
        if (expired)
            return deadlineError();

        // 4. Similarity of each new text with its image.
        QVector<float> similarity(inputs.size(), std::numeric_limits<float>::quiet_NaN());
        if (encoder && imageVectors) {
            QStringList toEncode;
            QVector<int> where;
            QVector<qint64> ids;
            for (int k = 0; k < texts.size(); ++k)
                if (texts[k] && (*imageVectors)->has(inputs[k].imageId)) {
                    toEncode << texts[k]->text;
                    where << k;
                    ids << inputs[k].imageId;
                }
            if (!toEncode.isEmpty()) {
                auto tv = (*encoder)->encodeTexts(toEncode, ctx);
                if (tv) {
                    const Matrix iv = (*imageVectors)->get(ids);
                    for (int j = 0; j < where.size(); ++j) {
                        double dot = 0;
                        for (int d = 0; d < iv.cols; ++d)
                            dot += double(iv.row(j)[d]) * tv->row(j)[d];
                        similarity[where[j]] = float(dot);
                    }
                } else {
                    ctx.warn(QStringLiteral("similarity: ") + tv.error().toString());
                }
            }
        }

        // Interrupted while this batch was in flight: its texts may be
        // canceled requests or lack a similarity (encoding was cut short).
        // Nothing of it is saved; the next run redoes the whole batch.
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("generate interrupted; texts written so far are kept"));

        Transaction tx(sink);
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
        for (int k = 0; k < inputs.size(); ++k) {
            Item &item = batch[index[k]];
            QJsonArray tags;
            for (const QString &t : inputs[k].tags)
                tags.append(t);
            QVariant text, model, error, evidence;
            if (k < texts.size() && texts[k]) {
                text = texts[k]->text;
                model = texts[k]->model;
                QJsonObject prov = texts[k]->provenance;
                prov.insert(QStringLiteral("findings"), QJsonDocument::fromJson(findingsJson(item.findings).toUtf8()).array());
                evidence = QString::fromUtf8(QJsonDocument(prov).toJson(QJsonDocument::Compact));
                ++succeeded;
            } else {
                error = k < texts.size() ? imageError(item.id, texts[k].error()) : QStringLiteral("image %1: no result").arg(item.id);
                ++failed;
                lastError = error.toString();
                recordImageIssue(sink, ctx, QStringLiteral("generate"), JobIssue{Severity::Warning, QStringLiteral("generate: ") + error.toString(), item.id, item.path});
            }
            auto r = sink.exec(QStringLiteral("INSERT OR REPLACE INTO generations(image_id, input_hash, caption, tags, synthetic_text, generator,"
                                               " model, prompt_version, evidence, similarity, error, created_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"),
                                {item.id, hashes[k], item.caption, QString::fromUtf8(QJsonDocument(tags).toJson(QJsonDocument::Compact)),
                                 text, generator->name(), model, promptVersion, evidence,
                                 std::isnan(similarity[k]) ? QVariant() : QVariant(double(similarity[k])), error, now});
            if (!r)
                return r.error();
        }
        if (Status s = tx.commit(); !s)
            return s;
        done += batch.size();
        ctx.progress(done, items.size(), QStringLiteral("generating"));
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("generate interrupted; texts written so far are kept"));
        // A generator that has failed every request of two whole batches is
        // down or misconfigured: stop rather than time out on every image.
        if (succeeded == 0 && failed >= 2 * kBatch)
            return makeError(ErrorCode::IoError, QStringLiteral("the generator failed all %1 requests so far; stopped (last: %2)").arg(failed).arg(lastError));
    }
    // Failing every request is a failed stage, not a done one: a later run
    // must retry (failed rows are never reused).
    if (failed > 0 && succeeded == 0)
        return makeError(ErrorCode::IoError, QStringLiteral("the generator failed all %1 requests (last: %2)").arg(failed).arg(lastError));
    if (reused > 0)
        ctx.progress(items.size(), items.size(), QStringLiteral("generating (%1 unchanged, reused)").arg(reused));
    return {};
}

} // namespace

Status GenerateStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    return generateImages(store, store, nullptr, recipe, ctx, nullptr);
}

Status GenerateStage::prepare(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto encoder = openActiveEncoder(store, recipe);
    if (!encoder)
        return {}; // no encoder: no tags, nothing to calibrate
    tagExpert(store, recipe, *encoder, ctx);
    return {};
}

Result<qint64> GenerateStage::generateInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                           JobContext &ctx)
{
    qint64 answered = 0;
    if (Status s = generateImages(main, out, &wanted, recipe, ctx, &answered); !s)
        return s.error();
    return answered;
}

} // namespace rs
