// The pipeline panel's Slurm section (issue 14) on a real project: shard
// progress per stage comes from real shard jobs' manifests (runShard, what
// the array tasks run) through slurmStatus, the code `realsyn slurm status`
// prints; "Resubmit failed" is offered only for a run with work left and
// nothing of it queued, and a submission that cannot start leaves the
// project open in the studio.

#include "core/cluster/shardjobs.h"
#include "core/cluster/slurmchain.h"
#include "ui/models/projectsession.h"
#include "ui/views/pipelinepanel.h"
#include "ui/views/slurmpanel.h"

#include "tests/ui/uitestproject.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace rs;

class TestSlurmPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsShardProgressAndOffersResubmit();
};

void TestSlurmPanel::showsShardProgressAndOffersResubmit()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const test::UiProject project = test::makeUiProject(tmp.path(), 12, false);
    QVERIFY(!project.dir.isEmpty());

    ProjectSession session;
    QVERIFY(session.open(project.dir));
    PipelinePanel panel(&session);
    panel.resize(420, 720);
    panel.show();
    SlurmPanel *slurm = panel.slurm();
    QSignalSpy refreshed(slurm, &SlurmPanel::statusRefreshed);
    slurm->refresh();
    QVERIFY(refreshed.wait(20000));
    QCOMPARE(slurm->statusLabel()->text(), QStringLiteral("No Slurm submission"));
    QVERIFY(!slurm->isVisible()); // folded: the project has no submission
    QVERIFY(!panel.slurmToggle()->isChecked());
    QVERIFY(slurm->submitButton()->isEnabled());
    QVERIFY(!slurm->resubmitButton()->isEnabled());

    // A run record as `slurm submit --dry-run` writes it (no cluster here).
    SlurmOptions o;
    o.shards = 2;
    o.until = QStringLiteral("extract");
    o.dryRun = true;
    o.binary = QCoreApplication::applicationFilePath();
    auto run = submitToSlurm(project.dir, o);
    QVERIFY2(run, run ? "" : qPrintable(run.error().toString()));
    JobContext ctx;
    auto shard0 = runShard(project.dir, QStringLiteral("extract"), ShardSpec{0, 2}, run->runId, ctx);
    QVERIFY2(shard0, shard0 ? "" : qPrintable(shard0.error().toString()));

    refreshed.clear();
    slurm->refresh();
    QVERIFY(refreshed.wait(20000));
    QCOMPARE(slurm->shardTree()->topLevelItemCount(), 1);
    QTreeWidgetItem *extract = slurm->shardTree()->topLevelItem(0);
    QCOMPARE(extract->text(0), QStringLiteral("extract"));
    QCOMPARE(extract->text(1), QStringLiteral("1 / 2"));
    QCOMPARE(extract->text(2), QStringLiteral("1"));
    QCOMPARE(extract->text(3), QStringLiteral("no"));
    QVERIFY(slurm->statusLabel()->text().contains(run->runId));
    QVERIFY(slurm->isVisible()); // unfolded by the submission it found
    QVERIFY(slurm->resubmitButton()->isEnabled());

    // No CLI where the jobs would look for it: nothing is queued and the
    // studio keeps the project.
    slurm->setCliBinary(tmp.filePath(QStringLiteral("no-such-realsyn")));
    slurm->resubmitButton()->click();
    QVERIFY(slurm->statusLabel()->text().startsWith(QStringLiteral("Not submitted")));
    QVERIFY(session.isOpen());

    // The missing shard finishes; the stage is not merged yet (its merge
    // job never ran), so resubmitting (the merge and what follows) stays
    // on offer.
    auto shard1 = runShard(project.dir, QStringLiteral("extract"), ShardSpec{1, 2}, run->runId, ctx);
    QVERIFY2(shard1, shard1 ? "" : qPrintable(shard1.error().toString()));
    refreshed.clear();
    slurm->refresh();
    QVERIFY(refreshed.wait(20000));
    QCOMPARE(slurm->shardTree()->topLevelItem(0)->text(1), QStringLiteral("2 / 2"));
    QCOMPARE(slurm->shardTree()->topLevelItem(0)->text(2), QString());
    QCOMPARE(slurm->shardTree()->topLevelItem(0)->text(3), QStringLiteral("no"));
    QVERIFY(slurm->resubmitButton()->isEnabled());
}

QTEST_MAIN(TestSlurmPanel)
#include "test_slurmpanel.moc"
