#pragma once
// EmbeddingMapPanel: the studio's embedding map. Every embedded image is a
// point of a 2-D layout (core/index/embeddinglayout: PCA, or the
// neighbour-preserving layout, cached in the project), drawn by
// PointMapView and coloured by cluster, kept/selected, rejection reason or
// a score, from the same in-memory columns the browser and the threshold
// panel use (so colours follow a threshold slider at once).
//
// A lasso (Shift+drag, or the lasso tool) selects images; the selection
// can become the browser's filter (as search results do), be accepted or
// rejected in one undoable step, or be exported (the export dialog,
// restricted to them) or saved as an id list. Drawing or clearing a
// selection is a step of the session's undo history of its own, kept as
// image ids, so Ctrl+Z brings back the previous selection even after the
// layout was recomputed.
// A click on a point shows that image in the browser.
//
// The layout is read or computed off the GUI thread, with progress, when
// the panel is first shown with a project open, and again after the
// embeddings may have changed (a stage ran) or the method changed; a newer
// request cancels an older one.

#include "core/index/embeddinglayout.h"

#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QProgressBar;
class QToolButton;

namespace rs {

class JobContext;
class PointMapView;
class ProjectSession;
class SampleBrowser;

class EmbeddingMapPanel : public QWidget {
    Q_OBJECT
public:
    enum class ColorBy { Cluster, Selection, Reason, Score };

    EmbeddingMapPanel(ProjectSession *session, SampleBrowser *browser, QWidget *parent = nullptr);
    ~EmbeddingMapPanel() override;

    PointMapView *map() const { return m_map; }
    QComboBox *methodBox() const { return m_method; }
    QComboBox *colorBox() const { return m_color; }
    QString statusText() const;
    bool isComputing() const { return m_computing; }

    // The layout shown (empty before the first one arrives).
    const EmbeddingLayout &layout() const { return m_layout; }
    // Shows `layout` (from compute() or a test) and colours it.
    void setLayout(EmbeddingLayout layout);
    // Reads or computes the layout for the current method (off the GUI
    // thread); layoutReady() or the status line follows.
    void refresh();

    // Image ids of the lasso selection, ascending.
    std::vector<qint64> selectedIds() const;
    // Selects these images (ids not on the map are ignored); no undo step.
    void selectIds(const std::vector<qint64> &ids);
    // Clears the selection as an undoable step (the Clear button).
    void clearSelection();
    // The selection's actions (also its buttons).
    void showSelectionInBrowser();
    void decideSelection(const QString &decision); // accept | reject | clear
    bool saveIdList(const QString &path); // core/util/idlist's format, for export --ids

Q_SIGNALS:
    void layoutReady(qint64 points, bool fromCache);
    void layoutFailed(const QString &error);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void recolor();
    void setLayoutRowsAndRecolor(); // after the layout or the live columns changed
    void updateSelectionBar();
    void recordSelectionStep(const QString &what); // after a user's change
    friend class MapSelectionCommand;
    void cancelRunning();

    ProjectSession *m_session;
    SampleBrowser *m_browser;
    PointMapView *m_map;
    QComboBox *m_method, *m_color;
    QToolButton *m_lasso, *m_fit;
    QLabel *m_status, *m_legend, *m_selectionLabel;
    QProgressBar *m_progress;
    QWidget *m_selectionBar;
    EmbeddingLayout m_layout;
    std::vector<qint64> m_recordedSelection; // ids as of the last undo step (the "before" of the next)
    std::vector<qint32> m_liveRows; // per layout point: its row in the session's live columns, -1 = none
    bool m_stale = true;            // the shown layout may not match the project
    bool m_computing = false;
    quint64 m_serial = 0;
    std::shared_ptr<JobContext> m_running;
};

} // namespace rs
