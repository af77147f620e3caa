#include "core/generate/groundstage.h"

#include "core/extract/imageprobe.h"
#include "core/generate/detail/expertpool.h"
#include "core/pipeline/issuelog.h"
#include "core/plugin/pluginmanager.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/globalsettings.h"

#include <QHash>
#include <QSet>
#include <QThreadPool>
#include <QtConcurrent>

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

constexpr int kBatch = 16;
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

    QThreadPool pool;
    pool.setMaxThreadCount(workerThreads(ctx));

    struct Job {
        int item;
        std::shared_ptr<ExpertPool> pool;
        QString hash;
        Result<Findings> result = Findings{};
    };
    qint64 done = 0, analysed = 0;
    for (qsizetype start = 0; start < items.size(); start += kBatch) {
        const QVector<Item> batch = items.mid(start, kBatch);
        // Only runs whose cached result is missing or stale; an image whose
        // runs are all cached is not even decoded.
        QVector<Job> jobs;
        QSet<int> needed;
        for (int i = 0; i < batch.size(); ++i)
            for (const auto &p : experts) {
                const QString hash = batch[i].sha256 + QLatin1Char('|') + p->factory().name() + QLatin1Char('|') + p->factory().version();
                if (expertHash.value({batch[i].id, p->factory().name()}) != hash) {
                    jobs.push_back(Job{i, p, hash, Findings{}});
                    needed.insert(i);
                }
            }
        if (!jobs.isEmpty()) {
            QVector<QImage> images(batch.size());
            QVector<QString> errors(batch.size());
            const QList<int> decode(needed.begin(), needed.end());
            QtConcurrent::blockingMap(&pool, decode, [&](int i) {
                auto img = loadImageRgb(batch[i].path);
                if (img)
                    images[i] = img.value();
                else
                    errors[i] = img.error().toString();
            });
            QtConcurrent::blockingMap(&pool, jobs, [&](Job &job) {
                if (!errors[job.item].isEmpty())
                    return;
                auto expert = job.pool->acquire();
                if (!expert) {
                    job.result = makeError(ErrorCode::Internal, QStringLiteral("expert could not be created"));
                    return;
                }
                job.result = expert->analyze(images[job.item]);
                job.pool->release(std::move(expert));
            });
            for (int i : decode)
                if (!errors[i].isEmpty())
                    recordImageIssue(store, ctx, name(), JobIssue{Severity::Warning, QStringLiteral("cannot decode for the experts: ") + errors[i], batch[i].id, batch[i].path});

            Transaction tx(store);
            for (Job &job : jobs) {
                const Item &item = batch[job.item];
                if (!errors[job.item].isEmpty())
                    continue; // not run: no run recorded, so the next run tries again
                const QString expertName = job.pool->factory().name();
                Result<Findings> stored = job.result;
                if (job.result) {
                    QString cut;
                    stored = capFindings(*job.result, &cut);
                    if (!cut.isEmpty())
                        recordImageIssue(store, ctx, name(), JobIssue{Severity::Info, expertName + QStringLiteral(" returned ") + cut,
                                                                      item.id, item.path});
                } else {
                    recordImageIssue(store, ctx, name(), JobIssue{Severity::Warning, expertName + QStringLiteral(": ") + job.result.error().toString(), item.id, item.path});
                }
                if (Status s = storeExpertRun(store, item.id, expertName, job.hash, stored); !s)
                    return s;
                ++analysed;
            }
            if (Status s = tx.commit(); !s)
                return s;
        }
        done += batch.size();
        ctx.progress(done, items.size(), QStringLiteral("grounding (OCR, faces, quality)"));
        if (ctx.isCanceled())
            return makeError(ErrorCode::Canceled, QStringLiteral("ground interrupted; findings written so far are kept"));
    }
    if (analysed == 0)
        ctx.progress(items.size(), items.size(), QStringLiteral("grounding (all findings unchanged, reused)"));
    return {};
}

} // namespace rs
