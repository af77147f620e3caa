#pragma once
// MainWindow of realsyn-studio: the sample browser in the middle, docks for
// the pipeline, thresholds, inspector and cluster balance, menus for
// projects (new, open, recent), running and export. Window layout and
// recent projects persist in QSettings; project settings live in the store.

#include <QMainWindow>

class QDockWidget;
class QMenu;

namespace rs {

class ClusterView;
class EmbeddingMapPanel;
class Inspector;
class PipelinePanel;
class ProjectSession;
class SampleBrowser;
class SearchPanel;
class ProvenancePanel;
class SnapshotPanel;
class DuplicatesView;
class ThresholdPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Colours: the platform's palette (System, the default: Qt 6.4 has no
    // colour-scheme hint, so the platform theme's palette is what "follows
    // the system" means), or a forced Light / Dark Fusion palette. Applied
    // to the whole application; plots follow through their palette.
    enum class ColorScheme { System, Light, Dark };
    static void applyColorScheme(ColorScheme scheme);
    static ColorScheme savedColorScheme(); // QSettings appearance/colorScheme

    // Opens DIR; a failure is shown in one modal dialog with the reason
    // (unless quiet) and returned.
    bool openProject(const QString &dir, bool quiet = false);
    QString lastError() const { return m_lastError; }

    ProjectSession *session() const { return m_session; }
    SampleBrowser *browser() const { return m_browser; }
    PipelinePanel *pipelinePanel() const { return m_pipeline; }
    ThresholdPanel *thresholdPanel() const { return m_thresholds; }
    Inspector *inspector() const { return m_inspector; }
    ClusterView *clusterView() const { return m_clusters; }
    QDockWidget *historyDock() const { return m_historyDock; }
    SearchPanel *searchPanel() const { return m_search; }
    ProvenancePanel *provenancePanel() const { return m_provenance; }
    SnapshotPanel *snapshotPanel() const { return m_snapshots; }
    DuplicatesView *duplicatesView() const { return m_duplicates; }
    QDockWidget *duplicatesDock() const { return m_duplicatesDock; }
    EmbeddingMapPanel *mapPanel() const { return m_map; }
    QDockWidget *mapDock() const { return m_mapDock; }

    // Saves PNGs of the window and of each view into DIR (for the README).
    bool saveScreenshots(const QString &dir);
    // Then the tools: prepareToolScreenshots() raises the Map dock (which
    // lays the map out) and runs `query` in the Search dock (none when
    // empty); once toolScreenshotsReady(), saveToolScreenshots() saves the
    // window with the tool docks raised: map-search.png (Map and Search)
    // and provenance-snapshots.png (Provenance and Snapshots).
    void prepareToolScreenshots(const QString &query);
    bool toolScreenshotsReady() const;
    bool saveToolScreenshots(const QString &dir);

    // Sets the docks' shares of the window (also View ▸ Reset Layout).
    void fitDocks();

    // Help ▸ About's text: versions of Qt, FAISS, OpenCV, libtorch (from
    // the plugins) and the active encoder.
    QString aboutText();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void newProject();
    void openProjectDialog();
    void rememberRecent(const QString &dir);
    void rebuildRecentMenu();
    void updateTitle();

    ProjectSession *m_session;
    SampleBrowser *m_browser;
    PipelinePanel *m_pipeline;
    ThresholdPanel *m_thresholds;
    Inspector *m_inspector;
    ClusterView *m_clusters;
    SearchPanel *m_search;
    ProvenancePanel *m_provenance;
    SnapshotPanel *m_snapshots;
    DuplicatesView *m_duplicates;
    EmbeddingMapPanel *m_map;
    QDockWidget *m_pipelineDock, *m_thresholdDock, *m_inspectorDock, *m_clusterDock, *m_historyDock, *m_searchDock, *m_provenanceDock,
        *m_snapshotDock, *m_duplicatesDock, *m_mapDock;
    QMenu *m_recent = nullptr;
    QAction *m_export = nullptr;
    QString m_lastError;
    bool m_layoutRestored = false, m_docksFitted = false;
};

} // namespace rs
