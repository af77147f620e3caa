#pragma once
// PipelinePanel: the stages with their state (done / stale / not run /
// running), "Run to here", "Run all" and "Cancel", a progress bar with rate
// and ETA, the Slurm section (submit, shard progress per stage, resubmit
// failed shards: SlurmPanel) and the issue log (clicking an issue about an
// image selects it).

#include "core/util/result.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;
class QTreeWidget;

namespace rs {

class IssueLogModel;
class ProjectSession;
class SlurmPanel;
struct JobProgress;

class PipelinePanel : public QWidget {
    Q_OBJECT
public:
    explicit PipelinePanel(ProjectSession *session, QWidget *parent = nullptr);

    IssueLogModel *log() const { return m_log; }
    QTreeWidget *stages() const { return m_stages; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *statusLabel() const { return m_status; }
    SlurmPanel *slurm() const { return m_slurm; }
    QToolButton *slurmToggle() const { return m_slurmToggle; }
    QProgressBar *progressBar() const { return m_progress; }
    // Selects a stage row by name (for keyboard users and tests).
    void selectStage(const QString &name);

Q_SIGNALS:
    void sampleRequested(qint64 imageId);

private:
    void refreshStates();
    void onProgress(const JobProgress &p);
    void onFinished(const QString &job, const Status &status, qint64 ms);
    void updateButtons();

    ProjectSession *m_session;
    QTreeWidget *m_stages;
    QPushButton *m_run, *m_runAll, *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QTableView *m_logView;
    IssueLogModel *m_log;
    SlurmPanel *m_slurm;
    QToolButton *m_slurmToggle;
    QString m_runningUntil;
};

} // namespace rs
