// The studio's search and provenance panels on the power-tools corpus
// (tests/support/powercorpus.h): "More Like This" from the browser's context
// menu lists the known near copy first and filters the browser to the
// results; a word search finds its known image first; the provenance panel
// shows what `realsyn show --json` prints; the snapshot panel lists a known
// change (the cluster cap) as `realsyn diff` does.

#include "ui/models/projectsession.h"
#include "ui/models/samplelistmodel.h"
#include "ui/views/mainwindow.h"
#include "ui/views/samplebrowser.h"
#include "ui/views/provenancepanel.h"
#include "ui/views/searchpanel.h"
#include "ui/views/snapshotpanel.h"

#include "tests/support/powercorpus.h"
#include "tests/support/processrun.h"

#include <QAction>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace rs;

class TestSearchPanel : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_project;
    test::PowerCorpus m_corpus;
    QHash<QString, qint64> m_idOf;
    QJsonObject m_shown; // `realsyn show --json` of the rare-words image

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("RealSynTest"));
        qRegisterMetaType<Status>();
        const QString cli = test::realsynPath();
        QVERIFY2(QFileInfo(cli).isExecutable(), qPrintable(cli));
        m_corpus = test::makePowerCorpus(m_tmp.path());
        QVERIFY(!m_corpus.dir.isEmpty());
        m_project = m_tmp.filePath(QStringLiteral("project"));
        QCOMPARE(test::runProcess(cli, {QStringLiteral("init"), m_project}).code, 0);
        QCOMPARE(test::runProcess(cli, {QStringLiteral("ingest"), m_project, QStringLiteral("--format"), QStringLiteral("html"), m_corpus.dir}).code, 0);
        const auto run = test::runProcess(cli, QStringList{QStringLiteral("run"), m_project} + test::powerRunSettings(), 300000);
        QVERIFY2(run.code == 0, run.err.constData());
        const auto list = test::runProcess(cli, {QStringLiteral("list"), m_project, QStringLiteral("--json")});
        for (const QJsonValue &v : QJsonDocument::fromJson(list.out).array())
            m_idOf.insert(QFileInfo(v[QStringLiteral("path")].toString()).fileName(), v[QStringLiteral("id")].toInteger());
        QCOMPARE(m_idOf.size(), 17);
        const auto show = test::runProcess(cli, {QStringLiteral("show"), m_project, QString::number(m_idOf.value(m_corpus.rareWordsFile)),
                                                 QStringLiteral("--json")});
        QCOMPARE(show.code, 0);
        m_shown = QJsonDocument::fromJson(show.out).object();
        QVERIFY(m_shown.contains(QStringLiteral("retrieved")));
    }

    void provenancePanelMatchesShowJson()
    {
        MainWindow window;
        window.show();
        QSignalSpy live(window.session(), &ProjectSession::liveChanged);
        QVERIFY2(window.openProject(m_project, true), qPrintable(window.lastError()));
        QVERIFY(live.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(window.browser()->model()->rowCount(), 17, 10000);
        const qint64 id = m_idOf.value(m_corpus.rareWordsFile);
        window.browser()->selectSample(id);
        ProvenancePanel *panel = window.provenancePanel();
        QTRY_COMPARE_WITH_TIMEOUT(panel->currentId(), id, 5000);
        QCOMPARE(panel->details(), m_shown);
        // The tree lists every field, nested values included.
        QTreeWidget *tree = panel->tree();
        QCOMPARE(tree->topLevelItemCount(), int(m_shown.size()));
        QHash<QString, QTreeWidgetItem *> top;
        for (int i = 0; i < tree->topLevelItemCount(); ++i)
            top.insert(tree->topLevelItem(i)->text(0), tree->topLevelItem(i));
        QCOMPARE(top.value(QStringLiteral("path"))->text(1), m_shown[QStringLiteral("path")].toString());
        QCOMPARE(top.value(QStringLiteral("retrieved"))->childCount(), int(m_shown[QStringLiteral("retrieved")].toArray().size()));
        QVERIFY(top.value(QStringLiteral("retrieved"))->childCount() > 0);
        QCOMPARE(top.value(QStringLiteral("provenance"))->childCount(), int(m_shown[QStringLiteral("provenance")].toArray().size()));
    }

    void moreLikeThisListsTheNearCopyFirst()
    {
        MainWindow window;
        window.show();
        QSignalSpy live(window.session(), &ProjectSession::liveChanged);
        QVERIFY2(window.openProject(m_project, true), qPrintable(window.lastError()));
        QVERIFY(live.wait(20000));
        SampleBrowser *browser = window.browser();
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 17, 10000);

        const qint64 original = m_idOf.value(m_corpus.originalFile), copy = m_idOf.value(m_corpus.nearCopyFile);
        browser->selectSample(original);
        QTRY_COMPARE_WITH_TIMEOUT(browser->currentId(), original, 5000);

        // The browser's context menu offers it (Qt::ActionsContextMenu).
        QCOMPARE(browser->view()->contextMenuPolicy(), Qt::ActionsContextMenu);
        QAction *more = nullptr;
        for (QAction *a : browser->view()->actions())
            if (a->objectName() == QLatin1String("moreLikeThisAction"))
                more = a;
        QVERIFY(more);
        SearchPanel *panel = window.searchPanel();
        QSignalSpy finished(panel, &SearchPanel::finished);
        more->trigger();
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.last().at(1).toString().isEmpty(), qPrintable(finished.last().at(1).toString()));
        QVERIFY(!panel->results().empty());
        QCOMPARE(panel->results().front().imageId, copy);
        QCOMPARE(panel->resultList()->item(0)->data(Qt::UserRole).toLongLong(), copy);
        for (const ImageHit &h : panel->results())
            QVERIFY(h.imageId != original);

        // The results are the browser's filter: exactly those images.
        const int hits = int(panel->results().size());
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), hits, 5000);
        QVERIFY(browser->model()->rowOf(copy) >= 0);
        QCOMPARE(browser->model()->rowOf(original), -1);

        // A word search replaces them; Clear shows everything again.
        panel->queryBox()->setText(m_corpus.rareWordsQuery);
        panel->modeBox()->setCurrentIndex(panel->modeBox()->findData(int(SearchMode::Text)));
        QTest::keyClick(panel->queryBox(), Qt::Key_Return);
        QVERIFY(finished.wait(30000));
        QVERIFY(!panel->results().empty());
        QCOMPARE(panel->results().front().imageId, m_idOf.value(m_corpus.rareWordsFile));
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), int(panel->results().size()), 5000);
        panel->clear();
        QTRY_COMPARE_WITH_TIMEOUT(browser->model()->rowCount(), 17, 5000);
    }

    // Last: it changes the project (sample.cap=1).
    void snapshotPanelListsAKnownChange()
    {
        const QString cli = test::realsynPath();
        QCOMPARE(test::runProcess(cli, {QStringLiteral("snapshot"), m_project, QStringLiteral("gui-a")}).code, 0);
        const auto run = test::runProcess(cli, {QStringLiteral("run"), m_project, QStringLiteral("--set"), QStringLiteral("sample.cap=1")}, 300000);
        QVERIFY2(run.code == 0, run.err.constData());
        const auto diff = test::runProcess(cli, {QStringLiteral("diff"), m_project, QStringLiteral("gui-a"), QStringLiteral("--json")});
        QCOMPARE(diff.code, 0);
        const QJsonObject expected = QJsonDocument::fromJson(diff.out).object();
        QVERIFY(!expected[QStringLiteral("left")].toArray().isEmpty());

        MainWindow window;
        window.show();
        QSignalSpy live(window.session(), &ProjectSession::liveChanged);
        QVERIFY2(window.openProject(m_project, true), qPrintable(window.lastError()));
        QVERIFY(live.wait(20000));
        SnapshotPanel *panel = window.snapshotPanel();
        QVERIFY(panel->aBox()->findText(QStringLiteral("gui-a")) >= 0);
        QVERIFY(panel->compare(QStringLiteral("gui-a"), QStringLiteral("current")).ok());
        QCOMPARE(panel->diff(), expected);
        // The tree says it: the setting, and images that left for the cap.
        QTreeWidget *tree = panel->tree();
        QTreeWidgetItem *settings = tree->topLevelItem(0), *left = tree->topLevelItem(2);
        QCOMPARE(settings->childCount(), 1);
        QCOMPARE(settings->child(0)->text(0), QStringLiteral("sample.cap: 20 → 1"));
        QCOMPARE(left->childCount(), int(expected[QStringLiteral("left")].toArray().size()));
        bool capped = false;
        for (int i = 0; i < left->childCount(); ++i)
            capped |= left->child(i)->text(0).contains(QStringLiteral("over its cluster's cap"));
        QVERIFY(capped);

        // A snapshot taken in the studio freezes the same state.
        QVERIFY(panel->takeSnapshot(QStringLiteral("gui-b")).ok());
        QVERIFY(panel->bBox()->findText(QStringLiteral("gui-b")) >= 0);
        QVERIFY(panel->compare(QStringLiteral("gui-a"), QStringLiteral("gui-b")).ok());
        QCOMPARE(panel->diff(), expected);
        const Status again = panel->takeSnapshot(QStringLiteral("gui-b"));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }
};

QTEST_MAIN(TestSearchPanel)
#include "test_searchpanel.moc"
