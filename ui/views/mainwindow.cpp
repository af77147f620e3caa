#include "ui/views/mainwindow.h"

#include "core/plugin/pluginmanager.h"
#include "core/plugin/componentversions.h"
#include "core/store/projectstore.h"
#include "ui/models/projectsession.h"
#include "ui/views/clusterview.h"
#include "ui/views/embeddingmappanel.h"
#include "ui/views/exportdialog.h"
#include "ui/views/inspector.h"
#include "ui/views/newprojectdialog.h"
#include "ui/views/pipelinepanel.h"
#include "ui/views/samplebrowser.h"
#include "ui/views/provenancepanel.h"
#include "ui/views/searchpanel.h"
#include "ui/views/snapshotpanel.h"
#include "ui/views/duplicatesview.h"
#include "ui/views/thresholdpanel.h"

#include <QActionGroup>
#include <QComboBox>
#include <QApplication>
#include <QStyle>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QListWidget>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QUndoView>

#include "ui/plots/qcustomplot_wrapper.h"

#include <algorithm>

namespace rs {

namespace {
const QString kRecentKey = QStringLiteral("recentProjects");

QDockWidget *dock(QMainWindow *window, const QString &title, const QString &name, QWidget *content)
{
    auto *d = new QDockWidget(title, window);
    d->setObjectName(name); // saveState() needs names
    d->setWidget(content);
    d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    return d;
}
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    m_session = new ProjectSession(this);
    m_browser = new SampleBrowser(m_session, this);
    m_pipeline = new PipelinePanel(m_session, this);
    m_thresholds = new ThresholdPanel(m_session, this);
    m_inspector = new Inspector(m_session, this);
    m_clusters = new ClusterView(m_session, this);
    m_search = new SearchPanel(m_session, m_browser, this);
    m_provenance = new ProvenancePanel(m_session, this);
    m_snapshots = new SnapshotPanel(m_session, this);
    m_duplicates = new DuplicatesView(m_session, this);
    m_map = new EmbeddingMapPanel(m_session, m_browser, this);
    setCentralWidget(m_browser);

    m_pipelineDock = dock(this, QStringLiteral("Pipeline"), QStringLiteral("pipelineDock"), m_pipeline);
    m_thresholdDock = dock(this, QStringLiteral("Thresholds"), QStringLiteral("thresholdDock"), m_thresholds);
    m_inspectorDock = dock(this, QStringLiteral("Inspector"), QStringLiteral("inspectorDock"), m_inspector);
    m_clusterDock = dock(this, QStringLiteral("Cluster balance"), QStringLiteral("clusterDock"), m_clusters);
    auto *history = new QUndoView(m_session->undoStack(), this);
    history->setEmptyLabel(QStringLiteral("Project as opened"));
    history->setObjectName(QStringLiteral("historyView"));
    m_historyDock = dock(this, QStringLiteral("History"), QStringLiteral("historyDock"), history);
    m_searchDock = dock(this, QStringLiteral("Search"), QStringLiteral("searchDock"), m_search);
    m_provenanceDock = dock(this, QStringLiteral("Provenance"), QStringLiteral("provenanceDock"), m_provenance);
    m_snapshotDock = dock(this, QStringLiteral("Snapshots"), QStringLiteral("snapshotDock"), m_snapshots);
    m_duplicatesDock = dock(this, QStringLiteral("Duplicates"), QStringLiteral("duplicatesDock"), m_duplicates);
    m_mapDock = dock(this, QStringLiteral("Map"), QStringLiteral("mapDock"), m_map);
    // Side docks run the full height; the cluster plot sits under the grid.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::LeftDockWidgetArea, m_thresholdDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_pipelineDock);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    addDockWidget(Qt::BottomDockWidgetArea, m_clusterDock);
    // A tab beside the pipeline: no extra space taken at 1280×720.
    tabifyDockWidget(m_pipelineDock, m_historyDock);
    m_pipelineDock->raise();
    tabifyDockWidget(m_clusterDock, m_searchDock);
    tabifyDockWidget(m_searchDock, m_snapshotDock);
    tabifyDockWidget(m_snapshotDock, m_duplicatesDock);
    m_clusterDock->raise();
    tabifyDockWidget(m_inspectorDock, m_provenanceDock);
    // The map wants height more than width: a tab beside the inspector.
    tabifyDockWidget(m_provenanceDock, m_mapDock);
    m_inspectorDock->raise();
    // Docks get a share of the window, not fixed pixels: at 1280×720 the
    // grid keeps about half of the width (see fitDocks()).
    fitDocks();

    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(QStringLiteral("&New Project…"), QKeySequence::New, this, &MainWindow::newProject);
    file->addAction(QStringLiteral("&Open Project…"), QKeySequence::Open, this, &MainWindow::openProjectDialog);
    m_recent = file->addMenu(QStringLiteral("Open &Recent"));
    file->addSeparator();
    m_export = file->addAction(QStringLiteral("&Export…"), this, [this]() {
        ExportDialog dialog(m_session, this);
        dialog.exec();
    });
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    if (!ExportDialog::isAvailable())
        m_export->setToolTip(QStringLiteral("The export stage is not in this build"));
    file->addAction(QStringLiteral("&Close Project"), this, [this]() { m_session->close(); });
    file->addSeparator();
    file->addAction(QStringLiteral("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    file->setToolTipsVisible(true);

    // Undo / Redo walk the curator's steps (ProjectSession::undoStack()); a
    // text field with focus keeps Ctrl+Z for its own typing (Qt lets it
    // override the shortcut). Cut/Copy/Paste act on the focused field.
    QMenu *edit = menuBar()->addMenu(QStringLiteral("&Edit"));
    const auto focused = [](const char *slot) {
        if (QWidget *w = QApplication::focusWidget())
            QMetaObject::invokeMethod(w, slot);
    };
    QAction *undo = m_session->undoStack()->createUndoAction(this, QStringLiteral("&Undo"));
    undo->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    QAction *redo = m_session->undoStack()->createRedoAction(this, QStringLiteral("&Redo"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(QStringLiteral("Cu&t"), QKeySequence::Cut, this, [focused]() { focused("cut"); });
    edit->addAction(QStringLiteral("&Copy"), QKeySequence::Copy, this, [focused]() { focused("copy"); });
    edit->addAction(QStringLiteral("&Paste"), QKeySequence::Paste, this, [focused]() { focused("paste"); });
    edit->addAction(QStringLiteral("Select &All"), QKeySequence::SelectAll, this, [focused]() { focused("selectAll"); });
    edit->addSeparator();
    edit->addAction(QStringLiteral("&Save Synthetic Text"), this, [this]() { m_inspector->commitEdit(); });
    edit->addAction(QStringLiteral("&Find…"), this, [this]() { m_browser->searchBox()->setFocus(); });

    QMenu *run = menuBar()->addMenu(QStringLiteral("&Pipeline"));
    run->addAction(QStringLiteral("Run &All"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this, [this]() { m_session->runUntil(QString()); });
    run->addAction(QStringLiteral("&Cancel"), this, [this]() { m_session->cancel(); });
    run->addAction(QStringLiteral("Apply &Settings Now"), this, [this]() { m_session->applyNow(); });

    QMenu *sample = menuBar()->addMenu(QStringLiteral("&Sample"));
    // With several images selected in the grid, A / R / Clear act on all of them (one undo step).
    const auto decide = [this](const QString &decision, void (Inspector::*single)()) {
        const QVector<qint64> ids = m_browser->selectedIds();
        if (ids.size() > 1)
            m_session->setDecisions(ids, decision);
        else
            (m_inspector->*single)();
    };
    QAction *accept = sample->addAction(QStringLiteral("&Accept"), this, [decide]() { decide(QStringLiteral("accept"), &Inspector::accept); });
    accept->setShortcut(QKeySequence(Qt::Key_A));
    QAction *reject = sample->addAction(QStringLiteral("&Reject"), this, [decide]() { decide(QStringLiteral("reject"), &Inspector::reject); });
    reject->setShortcut(QKeySequence(Qt::Key_R));
    sample->addAction(QStringLiteral("&Clear Decision"), this, [decide]() { decide(QStringLiteral("clear"), &Inspector::clearDecision); });
    sample->addAction(QStringLiteral("&Find…"), QKeySequence::Find, this, [this]() {
        m_browser->searchBox()->setFocus();
    });

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    for (QDockWidget *d : {m_pipelineDock, m_thresholdDock, m_inspectorDock, m_clusterDock, m_historyDock, m_searchDock, m_provenanceDock, m_snapshotDock, m_duplicatesDock, m_mapDock})
        view->addAction(d->toggleViewAction());
    view->addSeparator();
    QMenu *colors = view->addMenu(QStringLiteral("&Colours"));
    auto *group = new QActionGroup(this);
    const std::pair<const char *, ColorScheme> schemes[] = {
        {"Follow the &System", ColorScheme::System}, {"&Light", ColorScheme::Light}, {"&Dark", ColorScheme::Dark}};
    for (auto [label, scheme] : schemes) {
        QAction *a = colors->addAction(QString::fromUtf8(label));
        a->setCheckable(true);
        a->setChecked(scheme == savedColorScheme());
        group->addAction(a);
        connect(a, &QAction::triggered, this, [scheme]() {
            applyColorScheme(scheme);
            QSettings().setValue(QStringLiteral("appearance/colorScheme"),
                                 scheme == ColorScheme::Dark ? QStringLiteral("dark") : scheme == ColorScheme::Light ? QStringLiteral("light") : QStringLiteral("system"));
        });
    }
    view->addAction(QStringLiteral("&Reset Layout"), this, [this]() {
        for (QDockWidget *d : {m_pipelineDock, m_thresholdDock, m_inspectorDock, m_clusterDock, m_historyDock, m_searchDock, m_provenanceDock, m_snapshotDock, m_duplicatesDock, m_mapDock}) {
            d->setFloating(false);
            d->show();
        }
        tabifyDockWidget(m_pipelineDock, m_historyDock);
        m_pipelineDock->raise();
        fitDocks();
    });

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(QStringLiteral("&About RealSyn Studio"), this, [this]() {
        QMessageBox::about(this, QStringLiteral("About RealSyn Studio"), aboutText());
    });
    help->addAction(QStringLiteral("About &Qt"), qApp, &QApplication::aboutQt);

    connect(m_browser, &SampleBrowser::currentSampleChanged, m_inspector, &Inspector::showSample);
    connect(m_browser, &SampleBrowser::currentSampleChanged, m_provenance, &ProvenancePanel::showSample);
    connect(m_snapshots, &SnapshotPanel::sampleRequested, m_browser, &SampleBrowser::selectSample);
    connect(m_inspector, &Inspector::decided, m_browser, [this]() { m_browser->selectNext(); });
    connect(m_inspector, &Inspector::sampleLinkClicked, this, [this](qint64 id) {
        m_browser->selectSample(id); // clears a filter that hides it
        m_inspector->showSample(id);
    });
    connect(m_pipeline, &PipelinePanel::sampleRequested, this, [this](qint64 id) {
        m_browser->selectSample(id);
        m_inspector->showSample(id);
        m_inspectorDock->raise();
    });
    connect(m_clusters, &ClusterView::clusterClicked, m_browser, &SampleBrowser::showCluster);
    connect(m_duplicates, &DuplicatesView::sampleRequested, this, [this](qint64 id) {
        m_browser->selectSample(id);
        m_inspector->showSample(id);
    });
    connect(m_session, &ProjectSession::sampleRequested, this, [this](qint64 id) {
        if (id == m_inspector->currentId())
            return;
        m_browser->selectSample(id);
        m_inspector->showSample(id);
    });
    connect(m_session, &ProjectSession::opened, this, &MainWindow::updateTitle);
    connect(m_session, &ProjectSession::closed, this, &MainWindow::updateTitle);
    connect(m_session->runner(), &JobRunner::finished, this, [this](const QString &job, const Status &s, qint64 ms) {
        statusBar()->showMessage(s ? QStringLiteral("%1 finished in %2 s").arg(job).arg(ms / 1000.0, 0, 'f', 1)
                                   : QStringLiteral("%1: %2").arg(job, s.error().toString()),
                                 8000);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    m_layoutRestored = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    rebuildRecentMenu();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Close while every view is alive: closing emits signals the views
    // (and this window) handle.
    m_session->close();
}

void MainWindow::applyColorScheme(ColorScheme scheme)
{
    static const QString platformStyle = QApplication::style()->name();
    static const QPalette platformPalette = QApplication::palette();
    if (scheme == ColorScheme::System) {
        QApplication::setStyle(platformStyle);
        QApplication::setPalette(platformPalette);
        return;
    }
    // Fusion honours every palette role; native styles may not.
    QApplication::setStyle(QStringLiteral("Fusion"));
    QPalette p = QApplication::style()->standardPalette();
    if (scheme == ColorScheme::Dark) {
        const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), disabled(130, 130, 130);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, window);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::PlaceholderText, disabled);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::BrightText, QColor(255, 90, 90));
        p.setColor(QPalette::Light, QColor(70, 70, 74));
        p.setColor(QPalette::Midlight, QColor(60, 60, 64));
        p.setColor(QPalette::Mid, QColor(40, 40, 42));
        p.setColor(QPalette::Dark, QColor(20, 20, 22));
        p.setColor(QPalette::Shadow, Qt::black);
        p.setColor(QPalette::Highlight, QColor(42, 110, 190));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::Link, QColor(110, 170, 240));
        p.setColor(QPalette::LinkVisited, QColor(170, 140, 230));
        for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            p.setColor(QPalette::Disabled, role, disabled);
    }
    QApplication::setPalette(p);
}

MainWindow::ColorScheme MainWindow::savedColorScheme()
{
    const QString s = QSettings().value(QStringLiteral("appearance/colorScheme")).toString();
    return s == QLatin1String("dark") ? ColorScheme::Dark : s == QLatin1String("light") ? ColorScheme::Light : ColorScheme::System;
}

void MainWindow::fitDocks()
{
    const int w = std::max(width(), 1000), h = std::max(height(), 600);
    resizeDocks({m_thresholdDock, m_inspectorDock}, {w * 24 / 100, w * 28 / 100}, Qt::Horizontal);
    resizeDocks({m_thresholdDock, m_pipelineDock}, {h * 58 / 100, h * 42 / 100}, Qt::Vertical);
    resizeDocks({m_clusterDock}, {h / 4}, Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // The size the window is first shown at decides the dock shares (unless
    // a saved layout did); once laid out, so resizeDocks sees real sizes.
    if (!m_docksFitted && !m_layoutRestored)
        QTimer::singleShot(0, this, &MainWindow::fitDocks);
    m_docksFitted = true;
}

QString MainWindow::aboutText()
{
    QString text = QStringLiteral("<h3>RealSyn Studio %1</h3><p>Curate image–text data: ingest, filter, retrieve, generate, balance, export.</p>"
                                  "<table><tr><td>Qt</td><td>%2 (built with %3)</td></tr>"
                                  "<tr><td>QCustomPlot</td><td>%4</td></tr>")
                       .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                            QStringLiteral(QCUSTOMPLOT_VERSION_STR));
    // libtorch, FAISS and OpenCV stay behind the core and its plugins: their
    // versions come through core/plugin (IComponentInfo), never their headers.
    for (const ComponentVersion &c : componentVersions(sharedPlugins()))
        text += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(c.name.toHtmlEscaped(), c.version.toHtmlEscaped());
    if (m_session->isOpen()) {
        // The encoder that made the stored embeddings, and the one the recipe asks for.
        const QString made = m_session->store()->meta(QStringLiteral("embed.encoder"));
        text += QStringLiteral("<tr><td>Active encoder</td><td>%1</td></tr>")
                    .arg(made.isEmpty() ? QStringLiteral("none yet (run embed)") : made.toHtmlEscaped());
        text += QStringLiteral("<tr><td>Encoder setting (embed.model)</td><td>%1</td></tr>").arg(m_session->recipe().text(QStringLiteral("embed.model")).toHtmlEscaped());
    }
    return text + QStringLiteral("</table>");
}

void MainWindow::updateTitle()
{
    setWindowTitle(m_session->isOpen() ? QStringLiteral("RealSyn Studio — ") + QDir::toNativeSeparators(m_session->dir())
                                       : QStringLiteral("RealSyn Studio"));
    m_export->setEnabled(m_session->isOpen() && ExportDialog::isAvailable());
}

bool MainWindow::openProject(const QString &dir, bool quiet)
{
    Status s = m_session->open(dir);
    if (!s) {
        m_lastError = s.error().toString();
        if (!quiet)
            QMessageBox::critical(this, QStringLiteral("Cannot open project"),
                                  QStringLiteral("The project could not be opened.\n\n%1").arg(m_lastError));
        return false;
    }
    rememberRecent(m_session->dir());
    return true;
}

void MainWindow::openProjectDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, QStringLiteral("Open RealSyn project"));
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::newProject()
{
    NewProjectDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (Status s = m_session->create(dialog.projectDir(), dialog.options()); !s) {
        QMessageBox::critical(this, QStringLiteral("Cannot create project"), s.error().toString());
        return;
    }
    rememberRecent(m_session->dir());
}

void MainWindow::rememberRecent(const QString &dir)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    recent.removeAll(dir);
    recent.prepend(dir);
    while (recent.size() > 10)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recent->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString &dir : recent) {
        QAction *a = m_recent->addAction(dir, this, [this, dir]() { openProject(dir); });
        a->setEnabled(ProjectStore::isProject(dir));
    }
    if (recent.isEmpty())
        m_recent->addAction(QStringLiteral("(none yet)"))->setEnabled(false);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_inspector->commitEdit();
    m_session->applyNow();
    m_session->runner()->waitForDone(5000);
    m_session->close();
    event->accept();
}

bool MainWindow::saveScreenshots(const QString &dir)
{
    QDir().mkpath(dir);
    const std::pair<QWidget *, const char *> shots[] = {{this, "main.png"},
                                                        {m_browser, "browser.png"},
                                                        {m_inspector, "inspector.png"},
                                                        {m_thresholds->content(), "thresholds.png"},
                                                        {m_pipeline, "pipeline.png"},
                                                        {m_clusters, "clusters.png"}};
    bool ok = true;
    for (auto [widget, name] : shots)
        ok &= widget->grab().save(QDir(dir).filePath(QLatin1String(name)));
    // The window once more with the duplicate review raised in the bottom
    // area, given the height its image strip needs.
    m_duplicatesDock->show();
    m_duplicatesDock->raise();
    resizeDocks({m_duplicatesDock}, {std::max(height() * 40 / 100, 270)}, Qt::Vertical);
    if (!m_duplicates->outcome().groups.empty())
        m_duplicates->groupList()->setCurrentRow(0);
    QElapsedTimer settle; // thumbnails of the shown group arrive off the GUI thread
    settle.start();
    while (settle.elapsed() < 2500)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    ok &= m_duplicates->grab().save(QDir(dir).filePath(QStringLiteral("duplicates.png")));
    ok &= grab().save(QDir(dir).filePath(QStringLiteral("main-duplicates.png")));
    return ok;
}

bool MainWindow::saveToolScreenshots(const QString &dir)
{
    QDir().mkpath(dir);
    bool ok = true;
    // The tools, two at a time: one tab of the right area, one of the bottom.
    const std::tuple<QDockWidget *, QDockWidget *, const char *> tools[] = {{m_mapDock, m_searchDock, "map-search.png"},
                                                                           {m_provenanceDock, m_snapshotDock, "provenance-snapshots.png"}};
    for (auto [right, bottom, name] : tools) {
        right->raise();
        bottom->raise();
        QApplication::processEvents(); // lay the raised tabs out before grabbing
        ok &= grab().save(QDir(dir).filePath(QLatin1String(name)));
        m_search->clear(); // the search's browser filter belongs to the first shot only
    }
    m_inspectorDock->raise();
    m_clusterDock->raise();
    return ok;
}

void MainWindow::prepareToolScreenshots(const QString &query)
{
    m_mapDock->raise(); // shown: the map lays itself out
    if (!query.isEmpty())
        m_search->search(query, SearchMode::Text);
    // Snapshots: compare the first one with the current selection.
    const QString first = m_snapshots->aBox()->count() > 0 ? m_snapshots->aBox()->itemText(0) : QString();
    if (!first.isEmpty() && first != QLatin1String("current")) {
        const Status compared = m_snapshots->compare(first, QStringLiteral("current"));
        if (!compared)
            statusBar()->showMessage(compared.error().toString());
    }
}

bool MainWindow::toolScreenshotsReady() const
{
    return !m_map->isComputing() && !m_search->isSearching();
}

} // namespace rs
