// The main window over a generated project: moving the extract.min_side
// threshold changes the kept count and the browser at once and is applied
// to the store; a stage started from the pipeline panel can be canceled and
// then finished; the project lock refuses a second writer (the CLI).

#include "core/store/projectstore.h"
#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/views/clusterview.h"
#include "ui/views/exportdialog.h"
#include "ui/views/inspector.h"
#include "ui/views/mainwindow.h"
#include "ui/views/pipelinepanel.h"
#include "ui/views/samplebrowser.h"
#include "ui/views/thresholdpanel.h"
#include "ui/widgets/thresholdrow.h"
#include "uitestproject.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QtTest>

using namespace rs;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings away from the user's
        QCoreApplication::setOrganizationName(QStringLiteral("RealSynTest"));
        qRegisterMetaType<Status>();
    }

    void thresholdSliderChangesKeptAndBrowser()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 40, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.show();
        QSignalSpy live(window.session(), &ProjectSession::liveChanged);
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QVERIFY(live.wait(10000));

        // The GUI holds the lock: the CLI would be refused, naming the holder.
        auto cli = ProjectStore::open(project.dir, ProjectStore::Access::ReadWrite);
        QVERIFY(!cli);
        QCOMPARE(cli.error().code, ErrorCode::Conflict);
        QVERIFY(cli.error().message.contains(QStringLiteral("locked")));

        SampleBrowser *browser = window.browser();
        QSignalSpy rebuilt(browser->model(), &SampleListModel::rowsRebuilt);
        browser->filterBox()->setCurrentIndex(browser->filterBox()->findText(QStringLiteral("Kept")));
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 25, 5000);

        ThresholdRow *row = window.thresholdPanel()->row(QStringLiteral("extract.min_side"));
        QVERIFY(row);
        QCOMPARE(row->counts().kept, 25);
        QCOMPARE(row->counts().total, 40);
        QVERIFY(row->countsText().contains(QStringLiteral("too_small 15")));
        QVERIFY(row->spinBox()->toolTip().contains(QStringLiteral("Default: 100")));
        QSignalSpy applied(window.session(), &ProjectSession::applied);
        window.session()->setApplyDelay(50);

        // Move the slider to its far right: only the largest images stay.
        row->slider()->setFocus();
        QTest::keyClick(row->slider(), Qt::Key_End);
        const int keptAtMax = 1; // the slider's far end is the largest shorter side, 196 px
        QCOMPARE(row->counts().kept, keptAtMax);
        QCOMPARE(row->spinBox()->value(), 196.0);
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), keptAtMax, 5000);

        // Type a value: 150 keeps sides 152..196 (12 images).
        row->spinBox()->setValue(150);
        QCOMPARE(row->counts().kept, 12);
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 12, 5000);
        for (int r = 0; r < browser->model()->rowCount(); ++r)
            QVERIFY(browser->model()->index(r).data(SampleListModel::KeptRole).toBool());

        // Applied for real: the store's decisions and recipe follow.
        QVERIFY(applied.wait(10000) || !applied.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!window.session()->runner()->isRunning() && !window.session()->hasPendingSettings(), 10000);
        auto kept = window.session()->store()->scalar(QStringLiteral("SELECT count(*) FROM images WHERE reject_reason IS NULL"));
        QVERIFY(kept);
        QCOMPARE(kept->toInt(), 12);
        QCOMPARE(window.session()->recipe().intValue(QStringLiteral("extract.min_side")), 150);

        // Selecting a sample shows it in the inspector with its filter decisions.
        browser->view()->setCurrentIndex(browser->model()->index(0));
        QCOMPARE(window.inspector()->currentId(), browser->model()->idAt(0));
        QVERIFY(window.inspector()->text()->toPlainText().contains(QStringLiteral("extract.min_side")));
        QVERIFY(window.inspector()->text()->toPlainText().contains(QStringLiteral("circle number")));
    }

    void runAndCancelFromPipelinePanel()
    {
        QTemporaryDir tmp;
        // Not extracted: probing 300 images gives the cancel something to stop.
        const auto project = test::makeUiProject(tmp.path(), 300, false);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.show();
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        PipelinePanel *panel = window.pipelinePanel();
        QSignalSpy finished(window.session()->runner(), &JobRunner::finished);
        panel->selectStage(QStringLiteral("extract"));
        QVERIFY(panel->runButton()->isEnabled());
        QTest::mouseClick(panel->runButton(), Qt::LeftButton);
        QVERIFY(window.session()->runner()->isRunning());
        QVERIFY(panel->cancelButton()->isEnabled());
        QVERIFY(!panel->runButton()->isEnabled());
        QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
        QVERIFY(finished.wait(20000));
        const Status canceled = finished.first().at(1).value<Status>();
        QVERIFY(!canceled.ok());
        QCOMPARE(canceled.error().code, ErrorCode::Canceled);
        QVERIFY2(panel->statusLabel()->text().contains(QStringLiteral("canceled")), qPrintable(panel->statusLabel()->text()));
        QCOMPARE(panel->stages()->topLevelItem(0)->text(1), QStringLiteral("not-run"));
        QVERIFY(!panel->cancelButton()->isEnabled());
        auto probed = window.session()->store()->scalar(QStringLiteral("SELECT count(*) FROM images WHERE probed = 1"));
        QVERIFY(probed && probed->toInt() < 300);

        // Run again to the end: the stage is done and the browser fills.
        QTest::mouseClick(panel->runButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() == 2, 60000);
        const Status second = finished.last().at(1).value<Status>();
        QVERIFY2(second.ok(), qPrintable(second ? QString() : second.error().toString()));
        QCOMPARE(panel->stages()->topLevelItem(0)->text(1), QStringLiteral("done"));
        QVERIFY(panel->statusLabel()->text().contains(QStringLiteral("finished")));
        QTRY_COMPARE_WITH_TIMEOUT(window.browser()->model()->rowCount(), 300, 10000);
    }

    void exportDialogExportsSelection()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QVERIFY(ExportDialog::isAvailable());
        ExportDialog dialog(window.session(), &window);
        auto *format = dialog.findChild<QComboBox *>();
        auto *out = dialog.findChild<QLineEdit *>();
        QVERIFY(format && out);
        format->setCurrentText(QStringLiteral("jsonl"));
        QCOMPARE(format->currentText(), QStringLiteral("jsonl"));
        out->setText(tmp.filePath(QStringLiteral("export")));
        QPushButton *start = nullptr;
        for (auto *b : dialog.findChildren<QPushButton *>())
            if (b->text() == QStringLiteral("Export"))
                start = b;
        QVERIFY(start);
        // 20 images with sides 40..116: 5 pass min_side 100, all are selected.
        bool counted = false;
        for (auto *label : dialog.findChildren<QLabel *>())
            counted |= label->text().startsWith(QStringLiteral("5 selected samples"));
        QVERIFY(counted);
        QSignalSpy finished(window.session()->runner(), &JobRunner::finished);
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        const Status s = finished.first().at(1).value<Status>();
        QVERIFY2(s.ok(), qPrintable(s ? QString() : s.error().toString()));
        bool summarised = false;
        for (auto *label : dialog.findChildren<QLabel *>())
            summarised |= label->text().startsWith(QStringLiteral("Exported 5 samples"));
        QVERIFY(summarised);
        QVERIFY(QFileInfo::exists(tmp.filePath(QStringLiteral("export/samples.jsonl"))));
    }

    void unopenableProjectReportsReason()
    {
        QTemporaryDir tmp;
        MainWindow window;
        QVERIFY(!window.openProject(tmp.path(), true));
        QVERIFY(window.lastError().contains(QStringLiteral("not a RealSyn project")));
        QVERIFY(!window.session()->isOpen());
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
