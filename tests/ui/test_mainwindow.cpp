// The main window over a generated project: moving the extract.min_side
// threshold changes the kept count and the browser at once and is applied
// to the store; a stage started from the pipeline panel can be canceled and
// then finished; the project lock refuses a second writer (the CLI).

#include "core/store/curation.h"
#include "core/store/projectstore.h"
#include "core/store/samplequery.h"
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
#include "core/store/recipe.h"
#include "uitestproject.h"

#include <QComboBox>
#include <QJsonObject>
#include <QDockWidget>
#include <QPlainTextEdit>
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
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QtTest>

#include <algorithm>

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
        QVERIFY2(row->countsText().contains(QStringLiteral("too small 15")), qPrintable(row->countsText())); // display names, not codes
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
        QVERIFY(window.inspector()->text()->toPlainText().contains(QStringLiteral("Shorter side at least (px)"))); // its label, not the key
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

    // The map's "Export these samples…": the dialog restricted to chosen
    // images says how many are in the selection and exports only those.
    void exportDialogExportsChosenImages()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        auto selected = sampleIds(*window.session()->store(), SampleFilter::Selected);
        QVERIFY(selected.ok() && selected->size() == 5);
        qint64 rejected = 1;
        while (std::count(selected->begin(), selected->end(), rejected))
            ++rejected;
        ExportDialog dialog(window.session(), &window);
        dialog.setImageIds({(*selected)[0], (*selected)[3], rejected}, QStringLiteral("the map selection"));
        QVERIFY(dialog.windowTitle().contains(QStringLiteral("map selection")));
        bool counted = false;
        for (auto *label : dialog.findChildren<QLabel *>())
            counted |= label->text().startsWith(QStringLiteral("2 of the 3 images in the map selection"));
        QVERIFY(counted);
        dialog.findChild<QComboBox *>()->setCurrentText(QStringLiteral("jsonl"));
        dialog.findChild<QLineEdit *>()->setText(tmp.filePath(QStringLiteral("chosen")));
        QPushButton *start = nullptr;
        for (auto *b : dialog.findChildren<QPushButton *>())
            if (b->text() == QStringLiteral("Export"))
                start = b;
        QVERIFY(start);
        QSignalSpy finished(window.session()->runner(), &JobRunner::finished);
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QVERIFY(finished.first().at(1).value<Status>().ok());
        QString summary;
        for (auto *label : dialog.findChildren<QLabel *>())
            if (label->text().startsWith(QStringLiteral("Exported")))
                summary = label->text();
        QVERIFY2(summary.startsWith(QStringLiteral("Exported 2 samples")) && summary.contains(QStringLiteral("1 chosen images are not in the selection")),
                 qPrintable(summary));
    }

    void fitsCommonScreens_data()
    {
        QTest::addColumn<QSize>("screen");
        QTest::newRow("1280x720") << QSize(1280, 720);
        QTest::newRow("1366x768") << QSize(1366, 768);
    }

    // Every dock's key controls are on screen and usable at laptop sizes.
    void fitsCommonScreens()
    {
        QFETCH(QSize, screen);
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(screen);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && window.browser()->model()->rowCount() == 20, 10000);
        QApplication::processEvents();

        QString minimums;
        for (auto *d : window.findChildren<QDockWidget *>())
            minimums += QStringLiteral(" %1=%2x%3").arg(d->objectName()).arg(d->minimumSizeHint().width()).arg(d->minimumSizeHint().height());
        minimums += QStringLiteral(" browser=%1").arg(window.browser()->minimumSizeHint().width());
        QVERIFY2(window.minimumSizeHint().width() <= screen.width() && window.minimumSizeHint().height() <= screen.height(),
                 qPrintable(QStringLiteral("window minimum %1x%2:").arg(window.minimumSizeHint().width()).arg(window.minimumSizeHint().height()) + minimums));
        QCOMPARE(window.size(), screen);

        const QRect visible(QPoint(0, 0), screen);
        const std::pair<QWidget *, const char *> controls[] = {
            {window.inspector()->acceptButton(), "Accept"},
            {window.inspector()->rejectButton(), "Reject"},
            {window.inspector()->syntheticEdit(), "synthetic text"},
            {window.pipelinePanel()->runButton(), "Run"},
            {window.pipelinePanel()->cancelButton(), "Cancel"},
            {window.thresholdPanel()->row(QStringLiteral("extract.min_side"))->slider(), "first threshold slider"},
            {window.thresholdPanel()->row(QStringLiteral("extract.min_side"))->spinBox(), "first threshold spin box"},
            {window.browser()->view(), "browser grid"},
            {window.browser()->filterBox(), "browser filter"},
            {window.browser()->searchBox(), "browser search"},
            {window.clusterView(), "cluster balance"}};
        for (auto [w, name] : controls) {
            QVERIFY2(w->isVisible(), name);
            const QRect r(w->mapTo(&window, QPoint(0, 0)), w->size());
            QVERIFY2(visible.contains(r), qPrintable(QStringLiteral("%1 at %2,%3 %4x%5").arg(QLatin1String(name)).arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height())));
            // Not clipped away by a scroll area or a squeezed dock.
            QVERIFY2(w->visibleRegion().boundingRect().width() >= std::min(w->width(), 40), name);
            QVERIFY2(w->visibleRegion().boundingRect().height() >= std::min(w->height(), 16), name);
        }
        // The grid shows at least a column of thumbnails, and buttons their whole text.
        QVERIFY(window.browser()->view()->viewport()->width() >= window.browser()->view()->gridSize().width());
        for (QPushButton *b : {window.inspector()->acceptButton(), window.inspector()->rejectButton(), window.pipelinePanel()->runButton()})
            QVERIFY2(b->width() >= b->fontMetrics().horizontalAdvance(b->text()), qPrintable(b->text()));

        // And they work: Accept by mouse records the decision.
        window.browser()->view()->setCurrentIndex(window.browser()->model()->index(0));
        const qint64 id = window.inspector()->currentId();
        QVERIFY(id > 0);
        QTest::mouseClick(window.inspector()->acceptButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(sampleDetails(*window.session()->store(), id)->value(QStringLiteral("curator_decision")).toString()
                                     == QStringLiteral("accept"), 5000);
    }

    // Selecting another image with an unsaved edit stores it, as the curator's.
    void unsavedEditIsSavedOnLeave()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 10, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && window.browser()->model()->rowCount() == 10, 10000);
        SampleBrowser *browser = window.browser();
        Inspector *inspector = window.inspector();
        browser->view()->setCurrentIndex(browser->model()->index(0));
        const qint64 first = inspector->currentId();
        QVERIFY(first > 0);
        QVERIFY(inspector->editedMarker()->text().isEmpty());

        inspector->syntheticEdit()->setFocus();
        QTest::keyClicks(inspector->syntheticEdit(), QStringLiteral("words a curator wrote"));
        QCOMPARE(inspector->syntheticEdit()->toPlainText(), QStringLiteral("words a curator wrote")); // A / R went to the text
        QVERIFY(inspector->hasUnsavedEdit());
        QVERIFY2(inspector->editedMarker()->text().contains(QStringLiteral("not saved")), qPrintable(inspector->editedMarker()->text()));

        browser->view()->setFocus();
        QTest::keyClick(browser->view(), Qt::Key_Right); // the next image
        QVERIFY(inspector->currentId() != first);
        QVERIFY(!inspector->hasUnsavedEdit());
        QTRY_COMPARE_WITH_TIMEOUT(sampleDetails(*window.session()->store(), first)->value(QStringLiteral("synthetic_text")).toString(),
                                  QStringLiteral("words a curator wrote"), 5000);
        const QJsonObject stored = sampleDetails(*window.session()->store(), first).value();
        QCOMPARE(stored.value(QStringLiteral("generator")).toString(), QStringLiteral("curator"));

        // Back on it: the text is there, marked as the curator's.
        browser->selectSample(first);
        QCOMPARE(inspector->currentId(), first);
        QCOMPARE(inspector->syntheticEdit()->toPlainText(), QStringLiteral("words a curator wrote"));
        QVERIFY(inspector->editedMarker()->text().contains(QStringLiteral("curator")));

        // An edit is not lost when the project closes either.
        inspector->syntheticEdit()->moveCursor(QTextCursor::End);
        QTest::keyClicks(inspector->syntheticEdit(), QStringLiteral(", then more"));
        window.session()->close();
        auto reopened = ProjectStore::open(project.dir, ProjectStore::Access::ReadOnly);
        QVERIFY(reopened);
        QCOMPARE(sampleDetails(**reopened, first)->value(QStringLiteral("synthetic_text")).toString(),
                 QStringLiteral("words a curator wrote, then more"));
    }

    // Before extract nothing reads as broken: images are "not probed yet".
    void freshProjectSaysNotProbed()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 12, false);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && window.browser()->model()->rowCount() == 12, 10000);
        QCOMPARE(window.session()->unprobedImages(), 12);
        const QString label = window.browser()->model()->index(0).data(Qt::DisplayRole).toString();
        QVERIFY2(label.contains(QStringLiteral("not probed yet")) && !label.contains(QStringLiteral("unreadable")), qPrintable(label));
        bool saysNotProbed = false;
        for (auto *l : window.thresholdPanel()->content()->findChildren<QLabel *>()) {
            QVERIFY2(!l->text().contains(QStringLiteral("kept <b>0</b> of 12")), qPrintable(l->text()));
            saysNotProbed |= l->text().contains(QStringLiteral("12 images not probed yet"));
        }
        QVERIFY(saysNotProbed);

        window.browser()->view()->setCurrentIndex(window.browser()->model()->index(0));
        Inspector *inspector = window.inspector();
        QVERIFY2(inspector->header()->text().contains(QStringLiteral("not probed yet")), qPrintable(inspector->header()->text()));
        QVERIFY(!inspector->header()->text().contains(QStringLiteral("0×0")));
        const QString text = inspector->text()->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("not decided yet")) && !text.contains(QStringLiteral("export selected")), qPrintable(text));

        // After extract the inspector shows the probed facts by itself.
        QSignalSpy finished(window.session()->runner(), &JobRunner::finished);
        QVERIFY(window.session()->runUntil(QStringLiteral("extract")));
        QVERIFY(finished.wait(30000));
        QTRY_VERIFY2_WITH_TIMEOUT(inspector->header()->text().contains(QStringLiteral("×40")), qPrintable(inspector->header()->text()), 5000);
    }

    // Reasons with counts (empty ones hidden), the "selected for export"
    // filter, and a duplicate's link that shows the image it duplicates.
    void browserReasonsSelectedFilterAndLinks()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        SampleBrowser *browser = window.browser();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && browser->model()->rowCount() == 20, 10000);

        // 15 images are too small, nothing else drops: one reason, counted, by its display name.
        QComboBox *reasons = browser->reasonBox();
        QStringList items;
        for (int i = 0; i < reasons->count(); ++i)
            items << reasons->itemText(i);
        QCOMPARE(items, QStringList({QStringLiteral("any reason"), QStringLiteral("too small (15)")}));

        browser->filterBox()->setCurrentIndex(browser->filterBox()->findText(QStringLiteral("Selected for export")));
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 5, 5000);

        // Make the last image a near duplicate of the first (a rejected one, hidden by the filter).
        auto tooSmall = window.session()->store()->scalar(QStringLiteral("SELECT min(id) FROM images WHERE reject_reason = 'too_small'"));
        QVERIFY(tooSmall && tooSmall->toLongLong() > 0);
        const qint64 target = tooSmall->toLongLong(), dup = browser->model()->idAt(4);
        QVERIFY(window.session()->store()->exec(QStringLiteral("UPDATE images SET reject_reason = 'near_duplicate', duplicate_of = %1 WHERE id = %2")
                                                    .arg(target)
                                                    .arg(dup)));
        browser->view()->setCurrentIndex(browser->model()->index(4));
        QCOMPARE(window.inspector()->currentId(), dup);
        const QString link = QStringLiteral("rs-sample:%1").arg(target);
        QVERIFY2(window.inspector()->text()->toHtml().contains(link), qPrintable(window.inspector()->text()->toHtml()));
        Q_EMIT window.inspector()->text()->anchorClicked(QUrl(link));
        QCOMPARE(window.inspector()->currentId(), target);
        QTRY_COMPARE_WITH_TIMEOUT(browser->currentId(), target, 5000); // the filter that hid it was cleared
    }

    // Every count in the threshold panel before a change, for comparing after undo.
    static QMap<QString, QString> panelCounts(ThresholdPanel *panel)
    {
        QMap<QString, QString> counts;
        for (const SettingDef &def : Recipe::definitions()) {
            ThresholdRow *row = panel->row(def.key);
            if (!row || !LiveDecisions::isLive(def.key))
                continue;
            const auto &c = row->counts();
            QStringList byReason;
            for (qint64 n : c.byReason)
                byReason << QString::number(n);
            counts.insert(def.key, QStringLiteral("%1/%2 [%3] %4").arg(c.kept).arg(c.total).arg(byReason.join(QLatin1Char(',')), row->countsText()));
        }
        return counts;
    }

    // A threshold change, a decision and a reset are undone by Ctrl+Z and
    // redone by Ctrl+Shift+Z; undo restores every count exactly, in the
    // panel, the browser and (once applied) the store.
    void undoRestoresCountsExactly()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 40, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        SampleBrowser *browser = window.browser();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && browser->model()->rowCount() == 40, 10000);
        window.session()->setApplyDelay(50);
        ThresholdPanel *panel = window.thresholdPanel();
        ThresholdRow *row = panel->row(QStringLiteral("extract.min_side"));
        QVERIFY(row);
        QTRY_COMPARE_WITH_TIMEOUT(row->counts().kept, 25, 5000);
        browser->filterBox()->setCurrentIndex(browser->filterBox()->findText(QStringLiteral("Kept")));
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 25, 5000);
        const QMap<QString, QString> before = panelCounts(panel);
        QVERIFY(before.size() >= 5);
        QUndoStack *stack = window.session()->undoStack();
        QCOMPARE(stack->count(), 0);
        QVERIFY(!panel->resetButton(QStringLiteral("extract.min_side"))->isEnabled()); // at its default

        // Type 150 into the spin box: 12 kept.
        row->spinBox()->setFocus();
        row->spinBox()->selectAll();
        QTest::keyClicks(row->spinBox(), QStringLiteral("150"));
        QTest::keyClick(row->spinBox(), Qt::Key_Return);
        QCOMPARE(row->counts().kept, 12);
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 12, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(panelCounts(panel) != before, 5000);
        QCOMPARE(stack->count(), 1);
        QVERIFY(stack->undoText().contains(QStringLiteral("Shorter side")));
        QVERIFY(panel->resetButton(QStringLiteral("extract.min_side"))->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!window.session()->runner()->isRunning() && !window.session()->hasPendingSettings(), 10000);
        QCOMPARE(window.session()->recipe().intValue(QStringLiteral("extract.min_side")), 150);

        // Ctrl+Z from the grid (a text field keeps Ctrl+Z for its own typing).
        browser->view()->setFocus();
        QTest::keyClick(browser->view(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(row->spinBox()->value(), 100.0);
        QTRY_COMPARE_WITH_TIMEOUT(panelCounts(panel), before, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 25, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!window.session()->runner()->isRunning() && !window.session()->hasPendingSettings(), 10000);
        QVERIFY(window.session()->recipe().isDefault(QStringLiteral("extract.min_side")));
        auto kept = window.session()->store()->scalar(QStringLiteral("SELECT count(*) FROM images WHERE reject_reason IS NULL"));
        QVERIFY(kept);
        QCOMPARE(kept->toInt(), 25);

        // Redo: 12 again.
        QTest::keyClick(browser->view(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(row->counts().kept, 12);
        QCOMPARE(row->spinBox()->value(), 150.0);

        // Reset to default is a step of its own.
        QTest::mouseClick(panel->resetButton(QStringLiteral("extract.min_side")), Qt::LeftButton);
        QCOMPARE(row->spinBox()->value(), 100.0);
        QTRY_COMPARE_WITH_TIMEOUT(panelCounts(panel), before, 5000);
        QCOMPARE(stack->count(), 2);
        stack->undo();
        QCOMPARE(row->spinBox()->value(), 150.0);
        stack->undo();
        QTRY_COMPARE_WITH_TIMEOUT(panelCounts(panel), before, 5000);

        // A reject by key, undone: the store forgets it.
        browser->view()->setCurrentIndex(browser->model()->index(0));
        const qint64 id = window.inspector()->currentId();
        QVERIFY(id > 0);
        browser->view()->setFocus();
        QTest::keyClick(browser->view(), Qt::Key_R);
        QTRY_COMPARE_WITH_TIMEOUT(sampleDetails(*window.session()->store(), id)->value(QStringLiteral("curator_decision")).toString(),
                                  QStringLiteral("reject"), 5000);
        QVERIFY(window.inspector()->currentId() != id); // R moved on
        QTest::keyClick(browser->view(), Qt::Key_Z, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(sampleDetails(*window.session()->store(), id)->value(QStringLiteral("curator_decision")).isNull(), 5000);
        QCOMPARE(window.inspector()->currentId(), id); // and undo comes back to it

        // A saved text edit, undone: the generator's (here: no) text again.
        browser->selectSample(id);
        QCOMPARE(window.inspector()->currentId(), id);
        window.inspector()->syntheticEdit()->setPlainText(QStringLiteral("a curator's words"));
        window.inspector()->commitEdit();
        QTRY_COMPARE_WITH_TIMEOUT(sampleDetails(*window.session()->store(), id)->value(QStringLiteral("synthetic_text")).toString(),
                                  QStringLiteral("a curator's words"), 5000);
        QVERIFY(stack->undoText().contains(QStringLiteral("Edit text")));
        stack->undo();
        QTRY_VERIFY_WITH_TIMEOUT(!sampleDetails(*window.session()->store(), id)->value(QStringLiteral("synthetic_text_edited")).toBool(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.inspector()->syntheticEdit()->toPlainText(), QString(), 5000);

        // The History dock lists the steps.
        QVERIFY(window.historyDock());
        QVERIFY(window.historyDock()->widget()->findChild<QObject *>() || window.historyDock()->widget());
    }

    // A rubber band over the grid selects several images; "Reject all"
    // records a reject for each of them in the store, as one undoable step.
    void batchRejectOfRubberBandSelection()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        SampleBrowser *browser = window.browser();
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && browser->model()->rowCount() == 20, 10000);
        QListView *view = browser->view();
        QApplication::processEvents();
        QVERIFY(!browser->batchButton(QStringLiteral("reject"))->isEnabled()); // one image is no batch
        QWidget *viewport = view->viewport();

        // From an empty spot (a rubber band, not a drag of an item) to the
        // middle of the item one row down and one column right. Not (0, 0):
        // QTest reads a null point as the widget's centre.
        QPoint start(-1, -1);
        for (int y = 1; y < 40 && start.x() < 0; ++y)
            for (int x = 1; x < viewport->width() && start.x() < 0; ++x)
                if (!view->indexAt(QPoint(x, y)).isValid())
                    start = QPoint(x, y);
        QVERIFY(start.x() >= 0);
        const QRect first = view->visualRect(browser->model()->index(0));
        int target = -1;
        for (int r = 1; r < browser->model()->rowCount() && target < 0; ++r) {
            const QRect rect = view->visualRect(browser->model()->index(r));
            if (rect.top() > first.bottom() && rect.left() > first.right() - 1)
                target = r;
        }
        QVERIFY2(target > 0, "the grid shows at least two columns and two rows");
        const QPoint end = view->visualRect(browser->model()->index(target)).center();
        QTest::mousePress(viewport, Qt::LeftButton, Qt::NoModifier, start);
        for (int step = 1; step <= 4; ++step) {
            const QPoint p = start + (end - start) * step / 4;
            QTest::mouseMove(viewport, p); // carries the pressed button (Qt 6)
        }
        QTest::mouseRelease(viewport, Qt::LeftButton, Qt::NoModifier, end);

        const QRect band = QRect(start, end).normalized();
        QVector<qint64> expected;
        for (int r = 0; r < browser->model()->rowCount(); ++r)
            if (view->visualRect(browser->model()->index(r)).intersects(band))
                expected << browser->model()->idAt(r);
        QVERIFY2(expected.size() >= 4, qPrintable(QString::number(expected.size())));
        QCOMPARE(browser->selectedIds(), expected);
        QVERIFY(browser->batchBar()->isVisible());
        QVERIFY(browser->batchButton(QStringLiteral("reject"))->isEnabled());

        QTest::mouseClick(browser->batchButton(QStringLiteral("reject")), Qt::LeftButton);
        const std::vector<qint64> ids(expected.cbegin(), expected.cend());
        QTRY_VERIFY_WITH_TIMEOUT(
            [&]() {
                auto stored = curatorDecisions(*window.session()->store(), ids);
                return stored && std::all_of(ids.begin(), ids.end(), [&](qint64 id) { return stored->value(id) == CuratorDecision::Reject; });
            }(),
            5000);
        auto rejected = window.session()->store()->scalar(QStringLiteral("SELECT count(*) FROM decisions WHERE decision = 'reject'"));
        QVERIFY(rejected);
        QCOMPARE(rejected->toInt(), int(ids.size())); // each one, and no other
        QCOMPARE(window.session()->undoStack()->count(), 1);
        QCOMPARE(window.session()->undoStack()->undoText(), QStringLiteral("Reject %1 images").arg(ids.size()));

        // One undo forgets all of them.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(window.session()->store()->scalar(QStringLiteral("SELECT count(*) FROM decisions WHERE decision IS NOT NULL"))->toInt(),
                                  0, 5000);
    }

    // Field filters count their options and filter; a saved view stores
    // filter + sort + range in the project and brings them back, also
    // after the project is opened again.
    void savedViewsAndFieldFilters()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 20, true);
        QVERIFY(!project.dir.isEmpty());
        {
            MainWindow window;
            window.resize(1280, 720);
            window.show();
            QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
            SampleBrowser *browser = window.browser();
            QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && browser->model()->rowCount() == 20, 10000);
            const qint64 a = browser->model()->idAt(0), b = browser->model()->idAt(1), c = browser->model()->idAt(2);
            window.session()->setDecisions({a, b, c}, QStringLiteral("reject"));
            QTRY_COMPARE_WITH_TIMEOUT(browser->decisionBox()->itemText(2), QStringLiteral("rejected (3)"), 5000);
            QCOMPARE(browser->decisionBox()->itemText(3), QStringLiteral("undecided (17)"));

            browser->decisionBox()->setCurrentIndex(2);
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 3, 5000);
            browser->decisionBox()->setCurrentIndex(3);
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 17, 5000);
            browser->decisionBox()->setCurrentIndex(0);

            // Shorter side >= 100: sides 40 + 4i, so the last 5; sorted by it, descending.
            QCOMPARE(browser->scoreBox()->itemText(1), QStringLiteral("shorter side (20)"));
            browser->scoreBox()->setCurrentIndex(1);
            browser->minBox()->setValue(100);
            browser->sortBox()->setCurrentIndex(browser->sortBox()->findData(int(SampleListModel::Sort::ShorterSide)));
            browser->orderButton()->setChecked(true);
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 5, 5000);
            QVERIFY(browser->saveCurrentView(QStringLiteral("big ones")));
            QVERIFY(browser->viewsBox()->findText(QStringLiteral("big ones")) > 0);
            const qint64 largest = browser->model()->idAt(0);

            // Everything cleared, then the view brings it all back.
            browser->applySpec(QJsonObject{});
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 20, 5000);
            QVERIFY(browser->applyView(QStringLiteral("big ones")));
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 5, 5000);
            QCOMPARE(browser->model()->idAt(0), largest);
            QCOMPARE(browser->minBox()->value(), 100.0);

            // Expert findings: one image with OCR text.
            QVERIFY(window.session()->store()->exec(QStringLiteral("INSERT INTO expert_findings(image_id, expert, kind, level, label, confidence, input_hash)"
                                                                   " VALUES(?, 'test', 'ocr', 'line', 'EXIT', 0.9, 'h')"),
                                                    {largest}));
            QSignalSpy live(window.session(), &ProjectSession::liveChanged);
            window.session()->reloadLive();
            QVERIFY(live.wait(10000));
            QCOMPARE(browser->featureBox()->itemText(1), QStringLiteral("has OCR text (1)"));
            browser->featureBox()->setCurrentIndex(1);
            QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 1, 5000);
            QCOMPARE(browser->model()->idAt(0), largest);
        }
        // Stored in the project: listed when it is opened again.
        MainWindow again;
        QVERIFY2(again.openProject(project.dir, true), qPrintable(again.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(again.session()->live(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(again.browser()->viewsBox()->findText(QStringLiteral("big ones")) > 0, 5000);
    }

    // Help ▸ About names the libraries in use; the inspector says why a
    // retrieved text was chosen, from its stored per-signal scores.
    void aboutAndWhyThisText()
    {
        QTemporaryDir tmp;
        const auto project = test::makeUiProject(tmp.path(), 5, true);
        QVERIFY(!project.dir.isEmpty());
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY2(window.openProject(project.dir, true), qPrintable(window.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->live() && window.browser()->model()->rowCount() == 5, 10000);
        const QString about = window.aboutText();
        for (const char *name : {"Qt", "FAISS", "OpenCV", "Active encoder"})
            QVERIFY2(about.contains(QLatin1String(name)), name);
        QVERIFY2(about.contains(QStringLiteral("FAISS</td><td>1.")), qPrintable(about));
#ifdef REALSYN_TEST_WITH_TORCH
        QVERIFY2(about.contains(QStringLiteral("libtorch</td><td>1.")), qPrintable(about));
#endif

        // A retrieved text with its four signals (weights at their defaults: 1, 1, 1, 0.5).
        const qint64 id = window.browser()->model()->idAt(0);
        auto sentence = window.session()->store()->scalar(QStringLiteral("SELECT min(id) FROM sentences"));
        QVERIFY(sentence && sentence->toLongLong() > 0);
        const double fused = (0.8 + 0.4 + 0.6 + 0.5 * 1.0) / 3.5;
        QVERIFY(window.session()->store()->exec(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score, visual, ocr, context, lexical)"
                                                               " VALUES(?, 1, ?, ?, 0.8, 0.4, 0.6, 1.0)"),
                                                {id, sentence->toLongLong(), fused}));
        window.browser()->view()->setCurrentIndex(window.browser()->model()->index(0));
        QCOMPARE(window.inspector()->currentId(), id);
        QVERIFY(window.inspector()->text()->toHtml().contains(QStringLiteral("rs-why:1")));
        const QString why = window.inspector()->whyText(1);
        QVERIFY2(why.contains(QStringLiteral("fused score <b>0.657</b>")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("<td>visual</td><td align=right>0.800</td><td align=right>1</td><td align=right>0.229</td>")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("<td>lexical</td><td align=right>1.000</td><td align=right>0.5</td><td align=right>0.143</td>")), qPrintable(why));
        QVERIFY(!why.contains(QStringLiteral("changed since")));
        QVERIFY(window.inspector()->whyText(2).isEmpty());

        // After a weight changes, the stored score no longer matches: it says so.
        QVERIFY(window.session()->changeSetting(QStringLiteral("retrieve.weight_visual"), QStringLiteral("2")));
        window.session()->applyNow();
        QVERIFY2(window.inspector()->whyText(1).contains(QStringLiteral("changed since")), qPrintable(window.inspector()->whyText(1)));
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
