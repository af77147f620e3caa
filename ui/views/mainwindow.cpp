#include "ui/views/mainwindow.h"

#include "core/store/projectstore.h"
#include "ui/models/projectsession.h"
#include "ui/views/clusterview.h"
#include "ui/views/exportdialog.h"
#include "ui/views/inspector.h"
#include "ui/views/newprojectdialog.h"
#include "ui/views/pipelinepanel.h"
#include "ui/views/samplebrowser.h"
#include "ui/views/thresholdpanel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

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
    setCentralWidget(m_browser);

    m_pipelineDock = dock(this, QStringLiteral("Pipeline"), QStringLiteral("pipelineDock"), m_pipeline);
    m_thresholdDock = dock(this, QStringLiteral("Thresholds"), QStringLiteral("thresholdDock"), m_thresholds);
    m_inspectorDock = dock(this, QStringLiteral("Inspector"), QStringLiteral("inspectorDock"), m_inspector);
    m_clusterDock = dock(this, QStringLiteral("Cluster balance"), QStringLiteral("clusterDock"), m_clusters);
    // Side docks run the full height; the cluster plot sits under the grid.
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    addDockWidget(Qt::LeftDockWidgetArea, m_thresholdDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_pipelineDock);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    addDockWidget(Qt::BottomDockWidgetArea, m_clusterDock);
    resizeDocks({m_thresholdDock, m_inspectorDock}, {380, 460}, Qt::Horizontal);
    resizeDocks({m_thresholdDock, m_pipelineDock}, {560, 380}, Qt::Vertical);
    resizeDocks({m_clusterDock}, {240}, Qt::Vertical);

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

    QMenu *run = menuBar()->addMenu(QStringLiteral("&Pipeline"));
    run->addAction(QStringLiteral("Run &All"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this, [this]() { m_session->runUntil(QString()); });
    run->addAction(QStringLiteral("&Cancel"), this, [this]() { m_session->cancel(); });
    run->addAction(QStringLiteral("Apply &Settings Now"), this, [this]() { m_session->applyNow(); });

    QMenu *sample = menuBar()->addMenu(QStringLiteral("&Sample"));
    QAction *accept = sample->addAction(QStringLiteral("&Accept"), this, [this]() { m_inspector->accept(); });
    accept->setShortcut(QKeySequence(Qt::Key_A));
    QAction *reject = sample->addAction(QStringLiteral("&Reject"), this, [this]() { m_inspector->reject(); });
    reject->setShortcut(QKeySequence(Qt::Key_R));
    sample->addAction(QStringLiteral("&Clear Decision"), this, [this]() { m_inspector->clearDecision(); });
    sample->addAction(QStringLiteral("&Find…"), QKeySequence::Find, this, [this]() {
        m_browser->searchBox()->setFocus();
    });

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    for (QDockWidget *d : {m_pipelineDock, m_thresholdDock, m_inspectorDock, m_clusterDock})
        view->addAction(d->toggleViewAction());

    connect(m_browser, &SampleBrowser::currentSampleChanged, m_inspector, &Inspector::showSample);
    connect(m_inspector, &Inspector::decided, m_browser, [this]() { m_browser->selectNext(); });
    connect(m_pipeline, &PipelinePanel::sampleRequested, this, [this](qint64 id) {
        m_browser->selectSample(id);
        m_inspector->showSample(id);
        m_inspectorDock->raise();
    });
    connect(m_clusters, &ClusterView::clusterClicked, m_browser, &SampleBrowser::showCluster);
    connect(m_session, &ProjectSession::opened, this, &MainWindow::updateTitle);
    connect(m_session, &ProjectSession::closed, this, &MainWindow::updateTitle);
    connect(m_session->runner(), &JobRunner::finished, this, [this](const QString &job, const Status &s, qint64 ms) {
        statusBar()->showMessage(s ? QStringLiteral("%1 finished in %2 s").arg(job).arg(ms / 1000.0, 0, 'f', 1)
                                   : QStringLiteral("%1: %2").arg(job, s.error().toString()),
                                 8000);
    });

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    rebuildRecentMenu();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Close while every view is alive: closing emits signals the views
    // (and this window) handle.
    m_session->close();
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
    return ok;
}

} // namespace rs
