// The studio's duplicate review on the power-tools corpus, whose pictures
// share patterns in other colours (tests/support/powercorpus.h), which a
// perceptual hash does not see: the curator keeps another member of a pHash
// group with its Keep button (undoable), and that keeper survives re-runs of
// extract, driven by the view's own slider (distance 0 and back).

#include "ui/models/curationcommands.h"
#include "ui/models/projectsession.h"
#include "ui/views/duplicatesview.h"
#include "ui/views/mainwindow.h"

#include "core/store/projectstore.h"


#include "tests/support/powercorpus.h"
#include "tests/support/processrun.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace rs;

class TestDuplicatesView : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_project;

    static QString reasonOf(MainWindow &w, qint64 id)
    {
        auto v = w.session()->store()->scalar(QStringLiteral("SELECT coalesce(reject_reason, '') FROM images WHERE id = ?"), {id});
        return v ? v->toString() : QStringLiteral("<error>");
    }
    static qint64 duplicateOf(MainWindow &w, qint64 id)
    {
        auto v = w.session()->store()->scalar(QStringLiteral("SELECT coalesce(duplicate_of, 0) FROM images WHERE id = ?"), {id});
        return v ? v->toLongLong() : -1;
    }
    // The pHash group shown that holds image `id`, or null.
    static const DuplicateReview::Group *phashGroupOf(DuplicatesView *view, qint64 id)
    {
        for (const DuplicateReview::Group &g : view->outcome().groups)
            if (g.kind == DuplicateReview::Kind::Phash)
                for (const DuplicateReview::Member &m : g.members)
                    if (m.id == id)
                        return &g;
        return nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("RealSynTest"));
        qRegisterMetaType<Status>();
        const QString cli = test::realsynPath();
        QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli));
        const test::PowerCorpus corpus = test::makePowerCorpus(m_tmp.path());
        QVERIFY(!corpus.dir.isEmpty());
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(test::runProcess(cli, {QStringLiteral("init"), m_project}).code, 0);
        QCOMPARE(test::runProcess(cli, {QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), corpus.dir}).code, 0);
        const auto run = test::runProcess(cli, {QStringLiteral("run"), m_project, QStringLiteral("--until"), QStringLiteral("extract")}, 120000);
        QVERIFY2(run.code == 0, run.err.constData());
    }

    void keeperSurvivesRerun()
    {
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QSignalSpy live(window.session(), &ProjectSession::liveChanged);
        QVERIFY2(window.openProject(m_project, true), qPrintable(window.lastError()));
        QVERIFY(live.wait(20000));
        DuplicatesView *view = window.duplicatesView();
        QTRY_VERIFY_WITH_TIMEOUT(view->outcome().groupCount[0] > 0, 20000);
        const DuplicateReview::Group group = view->outcome().groups.front();
        QCOMPARE(group.kind, DuplicateReview::Kind::Phash);
        QVERIFY(!group.curatorKeeper);
        QVERIFY(group.members.size() >= 2);
        QVERIFY(view->countsText().contains(QStringLiteral("%1 groups").arg(view->outcome().groupCount[0])));
        const qint64 automatic = group.keeper();
        const qint64 chosen = group.members.back().id;
        QVERIFY(group.members.back().distance >= 0 && group.members.back().distance <= 3); // Hamming bits
        QCOMPARE(reasonOf(window, chosen), QStringLiteral("near_duplicate"));

        // The curator keeps another member, with its card's button.
        QVERIFY(view->showGroupOf(chosen));
        auto *keep = view->findChild<QPushButton *>(QStringLiteral("keep%1").arg(chosen));
        QVERIFY(keep && keep->isEnabled());
        keep->click();
        QTRY_COMPARE_WITH_TIMEOUT(reasonOf(window, automatic), QStringLiteral("near_duplicate"), 20000);
        QCOMPARE(duplicateOf(window, automatic), chosen);
        QCOMPARE(reasonOf(window, chosen), QString());
        QTRY_VERIFY_WITH_TIMEOUT(phashGroupOf(view, chosen) && phashGroupOf(view, chosen)->keeper() == chosen, 20000);
        QVERIFY(phashGroupOf(view, chosen)->curatorKeeper);

        // Undo and redo go through the same write.
        QUndoStack *undo = window.session()->undoStack();
        undo->undo();
        QTRY_COMPARE_WITH_TIMEOUT(reasonOf(window, chosen), QStringLiteral("near_duplicate"), 20000);
        undo->redo();
        QTRY_COMPARE_WITH_TIMEOUT(reasonOf(window, automatic), QStringLiteral("near_duplicate"), 20000);

        // Re-runs: the slider takes the group apart and puts it back, each
        // value applied by the pipeline (extract re-decides).
        QSignalSpy applied(window.session(), &ProjectSession::applied);
        const int distance = view->phashSlider()->value();
        QVERIFY(distance > 0);
        const qint64 duplicates = view->outcome().duplicateCount[0];
        view->phashSlider()->setValue(0);
        QTRY_VERIFY_WITH_TIMEOUT(view->outcome().duplicateCount[0] < duplicates, 20000); // the live count follows
        window.session()->applyNow();
        QVERIFY(applied.wait(60000));
        QVERIFY(applied.last().at(0).value<Status>().ok());
        QTest::qWait(SettingCommand::kMergeMs + 100); // a step of its own, not merged back into nothing
        view->phashSlider()->setValue(distance);
        window.session()->applyNow();
        QVERIFY(applied.wait(60000));
        QCOMPARE(reasonOf(window, automatic), QStringLiteral("near_duplicate"));
        QCOMPARE(duplicateOf(window, automatic), chosen);
        QCOMPARE(reasonOf(window, chosen), QString());
        QTRY_VERIFY_WITH_TIMEOUT(phashGroupOf(view, chosen) && phashGroupOf(view, chosen)->keeper() == chosen, 20000);
        QCOMPARE(view->outcome().duplicateCount[0], duplicates);
    }
};

QTEST_MAIN(TestDuplicatesView)
#include "test_duplicatesview.moc"
