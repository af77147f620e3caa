#include "core/generate/groundstage.h"

#include "core/extract/imageprobe.h"
#include "core/generate/detail/expertpool.h"
#include "core/pipeline/issuelog.h"
#include "core/plugin/pluginmanager.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"

#include <QFuture>
#include <QHash>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent>

#include <atomic>

namespace rs {

Result<ExpertRunHashes> loadExpertRunHashes(ProjectStore &store)
{
    auto er = store.exec(QStringLiteral("SELECT image_id, expert, input_hash FROM expert_runs"));
    if (!er)
        return er.error();
    ExpertRunHashes out;
    while (er->next())
        out.insert({er->value(0).toLongLong(), er->value(1).toString()}, er->value(2).toString());
    return out;
}

Status storeExpertRun(ProjectStore &store, qint64 imageId, const QString &expert, const QString &inputHash,
                      const Result<Findings> &result)
{
    if (auto r = store.exec(QStringLiteral("DELETE FROM expert_findings WHERE image_id = ? AND expert = ?"), {imageId, expert}); !r)
        return r.error();
    if (result) {
        for (const Finding &f : result.value()) {
            auto r = store.exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, level, x, y, w, h, label,"
                                               " confidence, input_hash) VALUES(?,?,?,?,?,?,?,?,?,?,?)"),
                                {imageId, expert, f.kind, f.level, f.box.x(), f.box.y(), f.box.width(), f.box.height(), f.text,
                                 f.confidence, inputHash});
            if (!r)
                return r.error();
        }
    }
    auto r = store.exec(QStringLiteral("INSERT OR REPLACE INTO expert_runs(image_id, expert, input_hash, error) VALUES(?,?,?,?)"),
                        {imageId, expert, inputHash, result ? QVariant() : QVariant(result.error().toString())});
    if (!r)
        return r.error();
    return {};
}

namespace {

using detail::ExpertPool;

// Findings the tag expert writes: generate owns them (they need the encoder).
const char *const kTagExpert = "encoder-tags";

struct Item {
    qint64 id = 0;
    QString path, sha256;
};

// Factories of the experts the recipe switches on, from the expert plugins.
QVector<std::shared_ptr<ExpertPool>> enabledExperts(const Recipe &recipe, JobContext &ctx)
{
    QHash<QString, QVariantMap> wanted; // kind -> options
    GroundSettings settings;
    readSettings(recipe, settings);
    const QString ocr = settings.ocr;
    if (ocr != QLatin1String("off"))
        wanted.insert(QStringLiteral("ocr"), {{QStringLiteral("mode"), ocr}});
    if (settings.faces == QLatin1String("on"))
        wanted.insert(QStringLiteral("face"), {});
    if (settings.quality == QLatin1String("on"))
        wanted.insert(QStringLiteral("quality"), {});
    QVector<std::shared_ptr<ExpertPool>> pools;
    QSet<QString> found;
    for (IExpertPlugin *plugin : sharedPlugins().objects<IExpertPlugin>()) {
        for (const auto &factory : plugin->factories()) {
            if (!wanted.contains(factory->kind()) || found.contains(factory->kind()))
                continue;
            if (Status s = factory->initialize(wanted.value(factory->kind())); !s) {
                ctx.warn(QStringLiteral("expert %1 unavailable: %2").arg(factory->name(), s.error().toString()));
                continue;
            }
            found.insert(factory->kind());
            pools.push_back(std::make_shared<ExpertPool>(factory));
        }
    }
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it)
        if (!found.contains(it.key()))
            ctx.warn(QStringLiteral("no %1 expert plugin found; that evidence is skipped").arg(it.key()));
    return pools;
}

} // namespace

Findings GroundStage::capFindings(const Findings &all, QString *why)
{
    why->clear();
    Findings out;
    if (all.size() <= kMaxFindings) {
        out = all;
    } else {
        for (const Finding &f : all)
            if (f.level != QLatin1String("word") && out.size() < kMaxFindings)
                out.push_back(f);
        for (const Finding &f : all)
            if (f.level == QLatin1String("word") && out.size() < kMaxFindings)
                out.push_back(f);
        *why = QStringLiteral("%1 findings; the first %2 are kept").arg(all.size()).arg(kMaxFindings);
    }
    int cut = 0;
    for (Finding &f : out)
        if (f.text.size() > kMaxFindingChars) {
            f.text.truncate(kMaxFindingChars);
            ++cut;
        }
    if (cut > 0)
        *why += (why->isEmpty() ? QString() : QStringLiteral("; "))
            + QStringLiteral("%1 texts longer than %2 characters cut").arg(cut).arg(kMaxFindingChars);
    return out;
}

QString GroundStage::environmentKey() const
{
    QStringList found;
    for (const PluginRecord &r : sharedPlugins().plugins())
        if (r.iid == QLatin1String(RealSyn_IExpertPlugin_iid))
            found << r.metaData.value(QStringLiteral("name")).toString() + QLatin1Char('@') + r.metaData.value(QStringLiteral("version")).toString();
    found.sort();
    return found.join(QLatin1Char(','));
}

Status GroundStage::run(ProjectStore &store, const Recipe &recipe, JobContext &ctx)
{
    auto q = store.exec(QStringLiteral("SELECT id, path, sha256 FROM images WHERE reject_reason IS NULL ORDER BY id"));
    if (!q)
        return q.error();
    QVector<Item> items;
    while (q->next())
        items.push_back(Item{q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toString()});

    const QVector<std::shared_ptr<ExpertPool>> experts = enabledExperts(recipe, ctx);
    // Findings of experts that are now switched off (or whose plugin is
    // gone) must not feed queries or texts; the tag expert's are generate's.
    {
        QStringList keep{QLatin1Char('\'') + QLatin1String(kTagExpert) + QLatin1Char('\'')};
        for (const auto &p : experts)
            keep << QLatin1Char('\'') + p->factory().name() + QLatin1Char('\'');
        Transaction tx(store);
        for (const char *table : {"expert_findings", "expert_runs"})
            if (auto r = store.exec(QStringLiteral("DELETE FROM %1 WHERE expert NOT IN (%2)").arg(QLatin1String(table), keep.join(QLatin1Char(','))));
                !r)
                return r.error();
        if (Status s = tx.commit(); !s)
            return s;
    }
    if (items.isEmpty() || experts.isEmpty())
        return {};

    auto runs = loadExpertRunHashes(store);
    if (!runs)
        return runs.error();
    const ExpertRunHashes &expertHash = *runs;

    // The work, decided up front: per image, the runs whose cached result is
    // missing or stale. An image whose runs are all cached is not decoded.
    struct Job {
        std::shared_ptr<ExpertPool> pool;
        QString hash;
        Result<Findings> result = Findings{};
    };
    struct Task {
        int item = 0;
        QVector<Job> jobs;
        QString decodeError;
        bool skipped = false; // not run: the stage stopped first
    };
    QVector<Task> tasks;
    for (int i = 0; i < items.size(); ++i) {
        Task task{i, {}, {}, false};
        for (const auto &p : experts) {
            const QString hash = items[i].sha256 + QLatin1Char('|') + p->factory().name() + QLatin1Char('|') + p->factory().version();
            if (expertHash.value({items[i].id, p->factory().name()}) != hash)
                task.jobs.push_back(Job{p, hash, Findings{}});
        }
        if (!task.jobs.isEmpty())
            tasks.push_back(std::move(task));
    }
    const qint64 cached = items.size() - tasks.size();
    if (tasks.isEmpty()) {
        ctx.progress(items.size(), items.size(), QStringLiteral("grounding (all findings unchanged, reused)"));
        return {};
    }

    // One task per image (decode, then each stale expert) streams through
    // the pool while this thread writes finished tasks in order. No barrier
    // between batches: the workers never wait for the slowest image of a
    // batch or for a commit (that barrier cost about a tenth of the stage).
    QThreadPool pool;
    const int threads = workerThreads(ctx);
    pool.setMaxThreadCount(threads);
    // Set on cancel or failure: tasks not started yet return at once, so
    // stopping waits only for the images being analysed.
    std::atomic<bool> stop = false;
    auto analyse = [&items, &stop](Task &task) {
        if (stop.load(std::memory_order_relaxed)) {
            task.skipped = true;
            return;
        }
        auto img = loadImageRgb(items[task.item].path);
        if (!img) {
            task.decodeError = img.error().toString();
            return;
        }
        for (Job &job : task.jobs) {
            auto expert = job.pool->acquire();
            if (!expert) {
                job.result = makeError(ErrorCode::Internal, QStringLiteral("expert could not be created"));
                continue;
            }
            job.result = expert->analyze(img.value());
            job.pool->release(std::move(expert));
        }
    };
    // Tasks are written in order, so the window must be wide enough that a
    // slow image (a dense page for OCR) at its head never leaves the other
    // workers idle. A task holds its decoded image only while it runs; a
    // finished one holds just its findings, so a wide window costs little.
    const int window = threads * 64;
    constexpr int kCommitEvery = 32;
    QVector<QFuture<void>> inFlight(tasks.size());
    int submitted = 0;
    auto submitUpTo = [&](int limit) {
        for (; submitted < std::min<int>(limit, tasks.size()); ++submitted)
            inFlight[submitted] = QtConcurrent::run(&pool, analyse, std::ref(tasks[submitted]));
    };
    submitUpTo(window);

    qint64 analysed = 0;
    bool canceled = false;
    auto tx = std::make_unique<Transaction>(store);
    int written = 0;
    for (; written < submitted; ++written) {
        inFlight[written].waitForFinished();
        inFlight[written] = {};
        if (!canceled)
            submitUpTo(written + 1 + window);
        Task &task = tasks[written];
        const Item &item = items[task.item];
        if (task.skipped) {
            // Stopped before it ran: no run recorded, so the next run does it.
        } else if (!task.decodeError.isEmpty()) {
            // Not run: no run recorded, so the next run tries again.
            recordImageIssue(store, ctx, name(),
                             JobIssue{Severity::Warning, QStringLiteral("cannot decode for the experts: ") + task.decodeError, item.id, item.path});
        } else {
            for (Job &job : task.jobs) {
                const QString expertName = job.pool->factory().name();
                Result<Findings> stored = job.result;
                if (job.result) {
                    QString cut;
                    stored = capFindings(*job.result, &cut);
                    if (!cut.isEmpty())
                        recordImageIssue(store, ctx, name(),
                                         JobIssue{Severity::Info, expertName + QStringLiteral(" returned ") + cut, item.id, item.path});
                } else {
                    recordImageIssue(store, ctx, name(),
                                     JobIssue{Severity::Warning, expertName + QStringLiteral(": ") + job.result.error().toString(), item.id, item.path});
                }
                if (Status s = storeExpertRun(store, item.id, expertName, job.hash, stored); !s) {
                    stop = true;
                    pool.waitForDone();
                    return s;
                }
                ++analysed;
            }
        }
        task.jobs.clear(); // the findings are stored; free them
        if ((written + 1) % kCommitEvery == 0 || written + 1 == submitted) {
            if (Status s = tx->commit(); !s) {
                stop = true;
                pool.waitForDone();
                return s;
            }
            tx.reset(); // committed; the next one opens after it
            tx = std::make_unique<Transaction>(store);
            ctx.progress(cached + written + 1, items.size(), QStringLiteral("grounding (OCR, faces, quality)"));
        }
        if (!canceled && ctx.isCanceled()) {
            canceled = true; // stop submitting; what finished is still written
            stop = true;
        }
    }
    if (Status s = tx->commit(); !s)
        return s;
    if (canceled)
        return makeError(ErrorCode::Canceled, QStringLiteral("ground interrupted; findings written so far are kept"));
    ctx.progress(items.size(), items.size(),
                 QStringLiteral("grounding: %1 expert runs, %2 images reused").arg(analysed).arg(cached));
    return {};
}

} // namespace rs
