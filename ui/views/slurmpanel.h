#pragma once
// SlurmPanel: the pipeline panel's cluster section (issue 14). Submits the
// open project to Slurm as `realsyn slurm submit` does (the same core
// chain, core/cluster/slurmchain.h), shows per sharded stage how many shards
// are done and merged and what the queue holds (slurmStatus, the code
// `realsyn slurm status` prints), and resubmits missing or failed shards.
//
// The cluster's merge jobs write the project, so submitting closes it in the
// studio (releasing its lock); the panel keeps watching the folder and
// reopens the project once the queue has drained. sbatch and squeue run off
// the GUI thread.

#include "core/cluster/slurmchain.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class QTreeWidget;

namespace rs {

class ProjectSession;

class SlurmPanel : public QWidget {
    Q_OBJECT
public:
    explicit SlurmPanel(ProjectSession *session, QWidget *parent = nullptr);

    // The project folder being watched (the open one, or the one handed to
    // the cluster); empty when none.
    QString watchedDir() const { return m_dir; }
    QSpinBox *shardsBox() const { return m_shards; }
    QPushButton *submitButton() const { return m_submit; }
    QPushButton *resubmitButton() const { return m_resubmit; }
    QTreeWidget *shardTree() const { return m_tree; }
    QLabel *statusLabel() const { return m_status; }
    // Whether the last refresh found a submission.
    bool hasRun() const { return m_hasRun; }
    // The realsyn CLI the jobs call: next to the studio's binary unless set
    // (tests point it at the build tree's).
    void setCliBinary(const QString &path) { m_binary = path; }
    // Reads the watched project's latest submission now (asynchronously;
    // statusRefreshed() follows).
    void refresh();

Q_SIGNALS:
    void statusRefreshed();
    void submitted(const QString &runId);

private:
    void submit(bool resume);
    void showStatus(const Result<SlurmRunStatus> &status);
    void updateButtons();

    ProjectSession *m_session;
    QString m_dir;
    QString m_binary;
    bool m_handedOver = false; // the studio closed the project for the cluster
    bool m_busy = false;
    QSpinBox *m_shards;
    QLineEdit *m_partition;
    QPushButton *m_submit, *m_resubmit;
    QTreeWidget *m_tree;
    QLabel *m_status;
    QTimer *m_poll;
    QFutureWatcher<Result<SlurmRunStatus>> m_statusWatch;
    QFutureWatcher<Result<SlurmSubmission>> m_submitWatch;
    bool m_lastHasWaiting = false; // a shard missing or a stage not merged
    bool m_lastQueueEmpty = true;
    bool m_hasRun = false;
};

} // namespace rs
