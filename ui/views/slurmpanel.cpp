#include "ui/views/slurmpanel.h"

#include "core/cluster/shardjobs.h"
#include "ui/models/projectsession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace rs {

namespace {

constexpr int kPollMs = 5000;

} // namespace

SlurmPanel::SlurmPanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    m_shards = new QSpinBox(this);
    m_shards->setRange(1, 100000);
    m_shards->setValue(4);
    m_shards->setPrefix(QStringLiteral("Shards: "));
    m_shards->setToolTip(QStringLiteral("Array tasks per stage: each stage's per-item work (extract's probing, ground, embed's encoding, retrieve's queries, generate, sample's cluster assignment) is split into this many shards"));
    m_partition = new QLineEdit(this);
    m_partition->setPlaceholderText(QStringLiteral("partition (default)"));
    m_partition->setToolTip(QStringLiteral("sbatch --partition; empty: the cluster's default"));
    m_submit = new QPushButton(QStringLiteral("Submit to Slurm"), this);
    m_submit->setToolTip(QStringLiteral("Queue every stage on the cluster (sbatch, the whole chain at once). "
                                        "The studio closes the project while the cluster writes it and reopens it when the queue is empty."));
    m_resubmit = new QPushButton(QStringLiteral("Resubmit failed"), this);
    m_resubmit->setToolTip(QStringLiteral("Queue again only the shards without a finished manifest, and what follows (slurm resume)"));
    row->addWidget(m_shards);
    row->addWidget(m_partition, 1);
    layout->addLayout(row);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_submit);
    buttons->addWidget(m_resubmit);
    layout->addLayout(buttons);

    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(4);
    m_tree->setHeaderLabels({QStringLiteral("Sharded stage"), QStringLiteral("Done"), QStringLiteral("Missing"), QStringLiteral("Merged")});
    m_tree->setRootIsDecorated(false);
    m_tree->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_tree->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    for (int c : {0, 1, 3})
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    // One row per sharded stage, all visible: the panel shares a narrow dock.
    const int rowHeight = m_tree->fontMetrics().height() + 4;
    m_tree->setFixedHeight(rowHeight * int(shardableStages().size() + 1) + 2 * m_tree->frameWidth() + 6);
    m_tree->setToolTip(QStringLiteral("Per sharded stage of the latest submission: shards with a finished manifest, "
                                      "the ones still missing, and whether the merge has made the stage done"));
    layout->addWidget(m_tree);
    m_status = new QLabel(QStringLiteral("No Slurm submission"), this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_poll = new QTimer(this);
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, &SlurmPanel::refresh);
    connect(m_submit, &QPushButton::clicked, this, [this]() { submit(false); });
    connect(m_resubmit, &QPushButton::clicked, this, [this]() { submit(true); });
    connect(&m_statusWatch, &QFutureWatcher<Result<SlurmRunStatus>>::finished, this, [this]() {
        m_busy = false;
        showStatus(m_statusWatch.result());
    });
    connect(&m_submitWatch, &QFutureWatcher<Result<SlurmSubmission>>::finished, this, [this]() {
        m_busy = false;
        const Result<SlurmSubmission> s = m_submitWatch.result();
        if (!s) {
            m_status->setText(QStringLiteral("Not submitted: ") + s.error().toString());
            // Nothing of ours runs: give the project back to the studio.
            if (m_handedOver && m_session->open(m_dir))
                m_handedOver = false;
            updateButtons();
            return;
        }
        m_status->setText(s.value().nothingToDo ? QStringLiteral("Run %1: every stage it asked for is done").arg(s.value().runId)
                                                : QStringLiteral("Run %1: %2 jobs queued").arg(s.value().runId).arg(s.value().jobs.size()));
        Q_EMIT submitted(s.value().runId);
        refresh();
        m_poll->start();
    });
    connect(m_session, &ProjectSession::opened, this, [this](const QString &dir) {
        m_dir = QFileInfo(dir).absoluteFilePath();
        m_handedOver = false;
        refresh();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        if (!m_handedOver) {
            m_dir.clear();
            m_poll->stop();
            m_tree->clear();
            m_status->setText(QStringLiteral("No Slurm submission"));
        }
        updateButtons();
    });
    if (m_session->isOpen())
        m_dir = QFileInfo(m_session->dir()).absoluteFilePath();
    updateButtons();
}

void SlurmPanel::refresh()
{
    if (m_dir.isEmpty() || m_busy)
        return;
    m_busy = true;
    const QString dir = m_dir;
    m_statusWatch.setFuture(QtConcurrent::run([dir]() { return slurmStatus(dir); }));
    updateButtons();
}

void SlurmPanel::submit(bool resume)
{
    if (m_dir.isEmpty() || m_busy || (m_session->isOpen() && m_session->runner()->isRunning()))
        return;
    SlurmOptions o;
    o.shards = m_shards->value();
    o.partition = m_partition->text().trimmed();
    o.binary = m_binary.isEmpty() ? QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("realsyn")) : m_binary;
    if (!QFileInfo(o.binary).isExecutable()) {
        m_status->setText(QStringLiteral("Not submitted: the realsyn command-line tool the jobs run is not at %1").arg(o.binary));
        return;
    }
    // The merge jobs take the project's lock: the studio lets go of it.
    if (m_session->isOpen()) {
        m_handedOver = true;
        m_session->close();
    }
    m_busy = true;
    m_status->setText(resume ? QStringLiteral("Resubmitting…") : QStringLiteral("Submitting…"));
    const QString dir = m_dir;
    m_submitWatch.setFuture(QtConcurrent::run([dir, o, resume]() { return resume ? resumeOnSlurm(dir, o) : submitToSlurm(dir, o); }));
    updateButtons();
}

void SlurmPanel::showStatus(const Result<SlurmRunStatus> &result)
{
    m_tree->clear();
    m_hasRun = result.ok();
    if (!result) {
        m_status->setText(result.error().code == ErrorCode::NotFound ? QStringLiteral("No Slurm submission") : result.error().toString());
        m_lastHasWaiting = false;
        m_poll->stop();
        if (m_handedOver && m_session->open(m_dir))
            m_handedOver = false;
        updateButtons();
        Q_EMIT statusRefreshed();
        return;
    }
    const SlurmRunStatus &st = result.value();
    bool waiting = false;
    for (const StageShards &s : st.stages) {
        // At most a few indices shown; the tooltip has them all.
        const QString missing = s.waiting.size() <= 6 ? s.waiting.join(QLatin1Char(','))
                                                       : QStringLiteral("%1 shards").arg(s.waiting.size());
        auto *item = new QTreeWidgetItem(m_tree, {s.stage, QStringLiteral("%1 / %2").arg(s.done).arg(s.shards), missing,
                                                  s.merged ? QStringLiteral("yes") : QStringLiteral("no")});
        if (!s.waiting.isEmpty())
            item->setToolTip(2, QStringLiteral("Shards without a finished manifest of this run: %1").arg(s.waiting.join(QStringLiteral(", "))));
        item->setForeground(2, QColor(0xc0, 0x40, 0x30));
        item->setForeground(3, s.merged ? QColor(0x20, 0x80, 0x30) : QColor(Qt::darkGray));
        waiting = waiting || !s.merged;
    }
    QString queue;
    if (!st.queueAnswered)
        queue = QStringLiteral("squeue did not answer");
    else if (st.queue.isEmpty())
        queue = QStringLiteral("no job pending or running");
    else {
        int running = 0, pending = 0;
        for (const SlurmJobState &j : st.queue)
            (j.state == QLatin1String("RUNNING") ? running : pending) += 1;
        queue = QStringLiteral("%1 running, %2 pending").arg(running).arg(pending);
    }
    m_lastHasWaiting = waiting;
    m_lastQueueEmpty = st.queueAnswered && st.queue.isEmpty();
    m_status->setText(QStringLiteral("Run %1 · %2 shards · until %3 · queue: %4").arg(st.runId).arg(st.shards).arg(st.until, queue));
    if (m_lastQueueEmpty) {
        // The chain is over (finished, or stopped at a failed shard): the
        // project comes back to the studio.
        m_poll->stop();
        if (m_handedOver && m_session->open(m_dir))
            m_handedOver = false;
    } else if (!m_poll->isActive()) {
        m_poll->start();
    }
    updateButtons();
    Q_EMIT statusRefreshed();
}

void SlurmPanel::updateButtons()
{
    const bool idle = !m_busy && !m_dir.isEmpty() && !(m_session->isOpen() && m_session->runner()->isRunning());
    m_submit->setEnabled(idle && !m_handedOver);
    m_resubmit->setEnabled(idle && m_lastHasWaiting && m_lastQueueEmpty);
}

} // namespace rs
