#include "ui/models/projectsession.h"

#include "core/extract/extractstage.h"
#include "core/ingest/ingestor.h"
#include "core/pipeline/duplicatereview.h"
#include "core/store/curation.h"
#include "core/store/samplequery.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "ui/models/curationcommands.h"

#include <QUndoStack>
#include <QPointer>
#include <QtConcurrent>

#include <algorithm>

namespace rs {

namespace {
const QString kApplyJob = QStringLiteral("apply settings");
}

ProjectSession::ProjectSession(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<LiveDecisions::Outcome>();
    m_undo = new QUndoStack(this);
    m_writer.setMaxThreadCount(1);
    m_applyTimer.setSingleShot(true);
    m_applyTimer.setInterval(400);
    connect(&m_applyTimer, &QTimer::timeout, this, &ProjectSession::applyNow);
    connect(&m_runner, &JobRunner::finished, this, &ProjectSession::onJobFinished);
}

ProjectSession::~ProjectSession()
{
    close();
}

QString ProjectSession::dir() const
{
    return m_store ? m_store->dir() : QString();
}

Status ProjectSession::open(const QString &dir)
{
    auto store = ProjectStore::open(dir, ProjectStore::Access::ReadWrite);
    if (!store)
        return store.error();
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return recipe.error();
    close();
    m_store = std::move(store.value());
    m_recipe = m_preview = recipe.value();
    m_undo->clear(); // commands name another project's images and values
    ProjectStore *raw = m_store.get();
    m_runner.setConnectionFactory([raw]() { return raw->openConnection(ProjectStore::Access::ReadWrite); });
    Q_EMIT opened(m_store->dir());
    Q_EMIT stagesChanged();
    reloadLive();
    return {};
}

Status ProjectSession::create(const QString &dir, const IngestOptions &options)
{
    {
        auto created = ProjectStore::create(dir);
        if (!created)
            return created.error();
    } // released: open() takes the lock again and wires everything up
    if (Status s = open(dir); !s)
        return s;
    const IngestOptions opts = options;
    runJob(QStringLiteral("ingest"), [opts](ProjectStore *store, JobContext &ctx) -> Status {
        // The new project's recipe: its ingest limits, and its sentence
        // filters, under which the sentences are written decided (as the CLI's
        // ingest does).
        auto recipe = Recipe::load(*store);
        if (!recipe)
            return recipe.error();
        IngestOptions withRecipe = opts;
        applyIngestRecipe(withRecipe, *recipe);
        auto report = ingest(*store, withRecipe, ctx);
        if (!report)
            return report.error();
        return {};
    });
    return {};
}

void ProjectSession::close()
{
    if (!m_store)
        return;
    Q_EMIT aboutToClose();
    m_applyTimer.stop();
    m_runner.cancel();
    m_runner.waitForDone();
    m_writer.waitForDone();
    m_runner.setConnectionFactory({});
    m_pendingKeys.clear();
    m_applyQueued = false;
    ++m_liveSerial; // a load still running is dropped when it lands
    m_live.reset();
    m_unprobed.reset();
    m_imageCodes.reset();
    m_store.reset();
    m_undo->clear();
    Q_EMIT closed();
}

QMap<QString, StageState> ProjectSession::stageStates()
{
    if (!m_store)
        return {};
    return m_pipeline.states(*m_store, m_recipe);
}

void ProjectSession::reloadLive()
{
    if (!m_store)
        return;
    if (m_liveLoading) {
        m_reloadAgain = true;
        return;
    }
    m_liveLoading = true;
    const quint64 serial = ++m_liveSerial;
    const QString dir = m_store->dir();
    const Recipe recipe = m_recipe;
    auto *watcher = new QFutureWatcher<Result<LiveDecisions>>(this);
    connect(watcher, &QFutureWatcher<Result<LiveDecisions>>::finished, this, [this, watcher, serial]() {
        watcher->deleteLater();
        m_liveLoading = false;
        if (serial != m_liveSerial)
            return;
        Result<LiveDecisions> result = watcher->result();
        if (!result) {
            Q_EMIT problem(QStringLiteral("cannot read the score columns: ") + result.error().toString(), -1);
        } else {
            m_live = std::make_shared<const LiveDecisions>(std::move(result.value()));
            // The store's own flag, one query per load (empty once extract ran).
            auto unprobed = sampleIds(*m_store, SampleFilter::Unprobed);
            m_unprobed = std::make_shared<const std::vector<qint64>>(unprobed ? std::move(unprobed.value()) : std::vector<qint64>());
            updateImageCodes();
            Q_EMIT liveChanged();
        }
        if (m_reloadAgain) {
            m_reloadAgain = false;
            reloadLive();
        }
    });
    // Its own read-only connection: no lock needed, and WAL lets it read
    // while a stage writes.
    watcher->setFuture(QtConcurrent::run([dir, recipe]() -> Result<LiveDecisions> {
        auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        if (!store)
            return store.error();
        return LiveDecisions::load(**store, recipe);
    }));
}

void ProjectSession::updateImageCodes()
{
    if (m_live)
        m_imageCodes = std::make_shared<const std::vector<quint8>>(m_live->decideImages(m_preview));
}

LiveDecisions::Outcome ProjectSession::outcome(const QString &key, int bins) const
{
    if (!m_live)
        return {};
    return m_live->decide(m_preview, key, bins);
}

Result<LiveDecisions::Outcome> ProjectSession::previewSetting(const QString &key, const QString &value)
{
    if (Status s = m_preview.set(key, value); !s)
        return s.error();
    m_pendingKeys.insert(key);
    LiveDecisions::Outcome out;
    if (m_live) {
        out = m_live->decide(m_preview, key);
        if (out.table == LiveDecisions::Table::Images)
            m_imageCodes = std::make_shared<const std::vector<quint8>>(out.codes);
    }
    Q_EMIT preview(key, out);
    m_applyTimer.start();
    return out;
}

void ProjectSession::applyNow()
{
    m_applyTimer.stop();
    if (!m_store || m_pendingKeys.isEmpty())
        return;
    if (m_runner.isRunning()) {
        m_applyQueued = true; // after the running job
        return;
    }
    const Recipe recipe = m_preview;
    const QSet<QString> keys = m_pendingKeys;
    m_pendingKeys.clear();
    bool sample = false;
    for (const QString &k : keys)
        sample |= k.startsWith(QLatin1String("sample."));
    // The re-run policy is the pipeline's, the same as for every front end.
    m_runner.start(kApplyJob, [recipe](ProjectStore *store, JobContext &ctx) -> Status {
        return Pipeline().applySettings(*store, recipe, ctx);
    });
    m_recipe = recipe; // what the store holds once the job has saved it
    m_applySample = sample;
}

bool ProjectSession::runUntil(const QString &until)
{
    if (!m_store || m_runner.isRunning())
        return false;
    // Pending slider values go with the run: saved first, in the same job.
    m_applyTimer.stop();
    const bool save = !m_pendingKeys.isEmpty();
    m_pendingKeys.clear();
    m_recipe = m_preview;
    const Recipe recipe = m_recipe;
    const QString name = until.isEmpty() ? QStringLiteral("run all") : QStringLiteral("run to ") + until;
    return m_runner.start(name, [recipe, until, save](ProjectStore *store, JobContext &ctx) -> Status {
        if (save)
            if (Status s = recipe.save(*store); !s)
                return s;
        Pipeline pipeline;
        return pipeline.run(*store, recipe, until, ctx);
    });
}

bool ProjectSession::runJob(const QString &name, JobRunner::Job job)
{
    if (!m_store)
        return false;
    return m_runner.start(name, std::move(job));
}

void ProjectSession::onJobFinished(const QString &job, const Status &status, qint64)
{
    if (!status && status.error().code != ErrorCode::Canceled)
        Q_EMIT problem(job + QStringLiteral(" failed: ") + status.error().toString(), -1);
    if (job == kApplyJob) {
        Q_EMIT applied(status);
        Q_EMIT stagesChanged();
        if (m_applySample && status)
            reloadLive(); // the sample stage may have re-sampled
    } else {
        // A stage or an ingest changed what the columns hold.
        Q_EMIT stagesChanged();
        reloadLive();
    }
    if (m_applyQueued || !m_pendingKeys.isEmpty()) {
        m_applyQueued = false;
        applyNow();
    }
}

Status ProjectSession::changeSetting(const QString &key, const QString &value)
{
    return pushSetting(key, value, true);
}

Status ProjectSession::pushSetting(const QString &key, const QString &value, bool mergeable)
{
    if (!m_store)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no project is open"));
    // Validate (and canonicalise) before anything lands on the stack.
    Recipe next = m_preview;
    if (Status s = next.set(key, value); !s)
        return s;
    const QString before = m_preview.text(key), after = next.text(key);
    if (before == after)
        return {};
    m_undo->push(new SettingCommand(this, key, before, after, mergeable));
    return {};
}

Status ProjectSession::resetSetting(const QString &key)
{
    const SettingDef *def = Recipe::find(key);
    if (!def)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown setting"), key);
    return pushSetting(key, def->defaultValue, false);
}

void ProjectSession::setDecision(qint64 imageId, const QString &decision)
{
    setDecisions({imageId}, decision);
}

void ProjectSession::setDecisions(const QVector<qint64> &imageIds, const QString &decision)
{
    if (!m_store || imageIds.isEmpty())
        return;
    // What undo restores is what the store holds once queued writes land.
    m_writer.waitForDone();
    auto old = curatorDecisions(*m_store, std::vector<qint64>(imageIds.cbegin(), imageIds.cend()));
    if (!old) {
        Q_EMIT problem(QStringLiteral("cannot read the curator decisions: ") + old.error().toString(), -1);
        return;
    }
    QVector<std::pair<qint64, QString>> before;
    before.reserve(imageIds.size());
    for (qint64 id : imageIds)
        before.push_back({id, curatorDecisionText(old->value(id, CuratorDecision::Clear))});
    m_undo->push(new DecisionCommand(this, before, curatorDecisionText(curatorDecisionFromText(decision))));
}

void ProjectSession::setEditedText(qint64 imageId, const QString &text)
{
    if (!m_store)
        return;
    m_writer.waitForDone();
    auto old = editedSyntheticText(*m_store, imageId);
    if (!old) {
        Q_EMIT problem(QStringLiteral("cannot read the edited text: ") + old.error().toString(), imageId);
        return;
    }
    if (old.value() == text.trimmed())
        return;
    m_undo->push(new TextEditCommand(this, imageId, old.value(), text.trimmed()));
}

void ProjectSession::writeDecisions(const QVector<std::pair<qint64, QString>> &decisions)
{
    if (!m_store || decisions.isEmpty())
        return;
    ProjectStore *raw = m_store.get();
    std::vector<std::pair<qint64, CuratorDecision>> batch;
    QVector<qint64> ids;
    for (const auto &[id, text] : decisions) {
        batch.push_back({id, curatorDecisionFromText(text)});
        ids.push_back(id);
    }
    QPointer<ProjectSession> self(this);
    m_writer.start([raw, batch, ids, self]() {
        auto conn = raw->openConnection(ProjectStore::Access::ReadWrite);
        Status s = conn ? setCuratorDecisions(**conn, batch) : Status(conn.error());
        QMetaObject::invokeMethod(self.data(), [self, s, ids]() {
            if (!self)
                return;
            if (!s)
                Q_EMIT self->problem(QStringLiteral("cannot store the decision: ") + s.error().toString(), ids.size() == 1 ? ids.front() : -1);
            Q_EMIT self->samplesChanged(ids);
            if (ids.size() == 1)
                Q_EMIT self->sampleChanged(ids.front());
        }, Qt::QueuedConnection);
    });
}

void ProjectSession::writeEditedText(qint64 imageId, const QString &text)
{
    if (!m_store)
        return;
    ProjectStore *raw = m_store.get();
    QPointer<ProjectSession> self(this);
    m_writer.start([raw, imageId, text, self]() {
        auto conn = raw->openConnection(ProjectStore::Access::ReadWrite);
        Status s = conn ? setEditedSyntheticText(**conn, imageId, text) : Status(conn.error());
        QMetaObject::invokeMethod(self.data(), [self, s, imageId]() {
            if (!self)
                return;
            if (!s)
                Q_EMIT self->problem(QStringLiteral("cannot store the edited text: ") + s.error().toString(), imageId);
            Q_EMIT self->samplesChanged({imageId});
            Q_EMIT self->sampleChanged(imageId);
        }, Qt::QueuedConnection);
    });
}

void ProjectSession::chooseDuplicateKeeper(const std::vector<qint64> &group, qint64 keeper)
{
    if (!m_store || std::find(group.begin(), group.end(), keeper) == group.end())
        return;
    // What undo restores is what the store holds once queued writes land.
    m_writer.waitForDone();
    auto marked = duplicateKeepers(*m_store);
    if (!marked) {
        Q_EMIT problem(QStringLiteral("cannot read the duplicate keepers: ") + marked.error().toString(), keeper);
        return;
    }
    std::vector<std::pair<qint64, bool>> before, after;
    for (qint64 id : group) {
        before.emplace_back(id, std::binary_search(marked->begin(), marked->end(), id));
        after.emplace_back(id, id == keeper);
    }
    if (before == after)
        return;
    m_undo->push(new KeeperCommand(this, keeper, std::move(before), std::move(after)));
}

void ProjectSession::writeDuplicateKeepers(const std::vector<std::pair<qint64, bool>> &keepers)
{
    if (!m_store || keepers.empty())
        return;
    ProjectStore *raw = m_store.get();
    const Recipe recipe = m_recipe; // the applied values decide, as a stage run would
    QPointer<ProjectSession> self(this);
    m_writer.start([raw, keepers, recipe, self]() {
        auto conn = raw->openConnection(ProjectStore::Access::ReadWrite);
        JobContext ctx;
        Status s = conn ? applyDuplicateKeepers(**conn, recipe, keepers, ctx) : Status(conn.error());
        QMetaObject::invokeMethod(self.data(), [self, s]() {
            if (!self)
                return;
            if (!s)
                Q_EMIT self->problem(QStringLiteral("cannot store the keeper: ") + s.error().toString(), -1);
            Q_EMIT self->duplicateKeepersChanged();
            Q_EMIT self->stagesChanged(); // later stages read the verdicts that changed
            self->reloadLive();
        }, Qt::QueuedConnection);
    });
}

} // namespace rs
