#include "ui/views/pipelinepanel.h"

#include "ui/models/issuelogmodel.h"
#include "ui/models/projectsession.h"
#include "ui/views/slurmpanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableView>
#include <QTime>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rs {

namespace {

QString duration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("?");
    const qint64 s = qint64(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

PipelinePanel::PipelinePanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    m_stages = new QTreeWidget(this);
    m_stages->setColumnCount(2);
    m_stages->setHeaderLabels({QStringLiteral("Stage"), QStringLiteral("State")});
    m_stages->setRootIsDecorated(false);
    m_stages->setMinimumHeight(m_stages->fontMetrics().height() * 8);
    m_stages->setMaximumHeight(m_stages->fontMetrics().height() * 9);
    m_stages->setToolTip(QStringLiteral("done: up to date · stale: a setting or the data changed since it ran · not run"));
    for (const QString &name : Pipeline::stageNames())
        new QTreeWidgetItem(m_stages, {name, QString()});
    m_stages->header()->setSectionResizeMode(0, QHeaderView::Stretch);

    auto *buttons = new QHBoxLayout;
    m_run = new QPushButton(QStringLiteral("Run to here"), this);
    m_run->setToolTip(QStringLiteral("Run every missing or stale stage up to the selected one (Ctrl+R)"));
    m_run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_runAll = new QPushButton(QStringLiteral("Run all"), this);
    m_runAll->setToolTip(QStringLiteral("Run every missing or stale stage this build has"));
    m_cancel = new QPushButton(QStringLiteral("Cancel"), this);
    m_cancel->setToolTip(QStringLiteral("Stop at the next batch; finished work is kept (Esc)"));
    m_cancel->setShortcut(QKeySequence(Qt::Key_Escape));
    buttons->addWidget(m_run);
    buttons->addWidget(m_runAll);
    buttons->addWidget(m_cancel);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_status = new QLabel(QStringLiteral("Idle"), this);
    m_status->setWordWrap(true);

    m_log = new IssueLogModel(this);
    m_logView = new QTableView(this);
    m_logView->setModel(m_log);
    m_logView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_logView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_logView->verticalHeader()->hide();
    m_logView->verticalHeader()->setDefaultSectionSize(20);
    // Messages wrap in the narrow dock instead of running off its edge; the
    // log is paged (fetchMore), so sizing rows to their text stays cheap.
    m_logView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_logView->horizontalHeader()->setStretchLastSection(true);
    m_logView->setWordWrap(true);
    m_logView->setTextElideMode(Qt::ElideNone);
    m_logView->setColumnWidth(IssueLogModel::SeverityColumn, 70);
    m_logView->setColumnWidth(IssueLogModel::StageColumn, 60);
    m_logView->setColumnWidth(IssueLogModel::ItemColumn, 90);
    m_logView->setToolTip(QStringLiteral("Issues of this project, newest first; • = reported by the running job. Click one about an image to show it."));

    layout->addWidget(m_stages);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    // Folded until the project has a submission (or the user opens it):
    // the section must not squeeze the docks above it at 1280x720.
    m_slurmToggle = new QToolButton(this);
    m_slurmToggle->setText(QStringLiteral("Slurm cluster"));
    m_slurmToggle->setCheckable(true);
    m_slurmToggle->setAutoRaise(true);
    m_slurmToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_slurmToggle->setArrowType(Qt::RightArrow);
    m_slurmToggle->setStyleSheet(QStringLiteral("QToolButton { font-weight: bold; }"));
    m_slurmToggle->setToolTip(QStringLiteral("Run the pipeline on a Slurm cluster: submit, shard progress per stage, resubmit failed shards"));
    layout->addWidget(m_slurmToggle);
    m_slurm = new SlurmPanel(session, this);
    m_slurm->setVisible(false);
    layout->addWidget(m_slurm);
    connect(m_slurmToggle, &QToolButton::toggled, this, [this](bool open) {
        m_slurm->setVisible(open);
        m_slurmToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    connect(m_slurm, &SlurmPanel::statusRefreshed, this, [this]() {
        if (m_slurm->hasRun())
            m_slurmToggle->setChecked(true);
    });
    layout->addWidget(new QLabel(QStringLiteral("<b>Issue log</b>"), this));
    layout->addWidget(m_logView, 1);

    connect(m_run, &QPushButton::clicked, this, [this]() {
        auto *item = m_stages->currentItem();
        const QString until = item ? item->text(0) : QString();
        if (m_session->runUntil(until))
            m_runningUntil = until.isEmpty() ? Pipeline::stageNames().last() : until;
        refreshStates();
    });
    connect(m_runAll, &QPushButton::clicked, this, [this]() {
        if (m_session->runUntil(QString()))
            m_runningUntil = Pipeline::stageNames().last();
        refreshStates();
    });
    connect(m_cancel, &QPushButton::clicked, this, [this]() {
        m_session->cancel();
        m_status->setText(QStringLiteral("Canceling at the next batch…"));
    });
    connect(m_stages, &QTreeWidget::currentItemChanged, this, &PipelinePanel::updateButtons);
    connect(m_logView, &QTableView::clicked, this, [this](const QModelIndex &index) {
        const qint64 id = index.data(IssueLogModel::ImageIdRole).toLongLong();
        if (id >= 0)
            Q_EMIT sampleRequested(id);
    });
    connect(m_logView, &QTableView::activated, m_logView, &QTableView::clicked);

    JobRunner *runner = m_session->runner();
    connect(runner, &JobRunner::started, this, [this](const QString &job) {
        m_status->setText(job + QStringLiteral("…"));
        m_progress->setRange(0, 0); // busy until the first progress
        m_progress->setTextVisible(true);
        updateButtons();
    });
    connect(runner, &JobRunner::progress, this, &PipelinePanel::onProgress);
    connect(runner, &JobRunner::issues, this, [this](const QVector<JobIssue> &issues) { m_log->addLive(m_session->runner()->currentJob(), issues); });
    connect(runner, &JobRunner::finished, this, [this](const QString &job, const Status &status, qint64 ms) {
        onFinished(job, status, ms);
    });
    connect(m_session, &ProjectSession::stagesChanged, this, &PipelinePanel::refreshStates);
    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_log->setStore(m_session->store());
        m_status->setText(QStringLiteral("Idle"));
        refreshStates();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_log->setStore(nullptr);
        refreshStates();
    });
    connect(m_session, &ProjectSession::problem, this, [this](const QString &text, qint64 id) {
        m_log->addLive(QStringLiteral("studio"), {JobIssue{Severity::Error, text, id, QString()}});
    });
    refreshStates();
}

void PipelinePanel::selectStage(const QString &name)
{
    for (int i = 0; i < m_stages->topLevelItemCount(); ++i)
        if (m_stages->topLevelItem(i)->text(0) == name)
            m_stages->setCurrentItem(m_stages->topLevelItem(i));
}

void PipelinePanel::refreshStates()
{
    const auto states = m_session->stageStates();
    const bool running = m_session->runner()->isRunning();
    bool beforeUntil = true;
    for (int i = 0; i < m_stages->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_stages->topLevelItem(i);
        const QString name = item->text(0);
        QString state;
        QColor color(Qt::black);
        if (!m_session->isOpen()) {
            state = QString();
        } else if (!m_session->pipeline().isAvailable(name)) {
            state = QStringLiteral("not in this build");
            color = Qt::gray;
        } else {
            const StageState s = states.value(name, StageState::NotRun);
            state = stageStateName(s);
            color = s == StageState::Done ? QColor(0x20, 0x80, 0x30) : s == StageState::Stale ? QColor(0xb0, 0x70, 0x00) : QColor(Qt::darkGray);
            if (running && beforeUntil && !m_runningUntil.isEmpty() && s != StageState::Done) {
                state = QStringLiteral("running / queued");
                color = QColor(0x28, 0x6e, 0xbe);
            }
        }
        if (name == m_runningUntil)
            beforeUntil = false;
        item->setText(1, state);
        item->setForeground(1, color);
        item->setToolTip(0, m_session->pipeline().isAvailable(name) ? QStringLiteral("Select and press Run to here")
                                                                     : QStringLiteral("This stage is not implemented in this build yet"));
    }
    updateButtons();
}

void PipelinePanel::updateButtons()
{
    const bool open = m_session->isOpen();
    const bool running = m_session->runner()->isRunning();
    auto *item = m_stages->currentItem();
    m_run->setEnabled(open && !running && item && m_session->pipeline().isAvailable(item->text(0)));
    m_runAll->setEnabled(open && !running);
    m_cancel->setEnabled(running);
}

void PipelinePanel::onProgress(const JobProgress &p)
{
    const QLocale loc;
    if (p.total > 0) {
        // QProgressBar is int-based: scale large totals.
        const double scale = p.total > 1000000 ? 1000000.0 / double(p.total) : 1.0;
        m_progress->setRange(0, int(double(p.total) * scale));
        m_progress->setValue(int(double(p.done) * scale));
    } else {
        m_progress->setRange(0, 0);
    }
    QString text = QStringLiteral("%1 · %2").arg(p.job, p.what);
    text += p.total > 0 ? QStringLiteral(" · %1 / %2").arg(loc.toString(p.done), loc.toString(p.total))
                        : QStringLiteral(" · %1").arg(loc.toString(p.done));
    if (p.rate > 0)
        text += QStringLiteral(" · %1/s").arg(loc.toString(p.rate, 'f', p.rate < 10 ? 1 : 0));
    if (p.etaSeconds >= 0)
        text += QStringLiteral(" · ETA ") + duration(p.etaSeconds);
    m_status->setText(text);
}

void PipelinePanel::onFinished(const QString &job, const Status &status, qint64 ms)
{
    const bool ok = status.ok();
    m_runningUntil.clear();
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    m_progress->setTextVisible(false);
    const QString took = duration(ms / 1000.0);
    if (ok)
        m_status->setText(QStringLiteral("%1: finished in %2").arg(job, took));
    else if (status.error().code == ErrorCode::Canceled)
        m_status->setText(QStringLiteral("%1: canceled after %2 (finished work is kept)").arg(job, took));
    else
        m_status->setText(QStringLiteral("%1: failed: %2").arg(job, status.error().toString()));
    m_log->reload(); // stored issues the job logged; live ones stay on top
    refreshStates();
}

} // namespace rs
