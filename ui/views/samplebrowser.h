#pragma once
// SampleBrowser: the virtualized thumbnail grid over every image of the
// project (a QListView in icon mode over SampleListModel), with filter
// (all / kept / rejected, by reason, by cluster), sort by any score and text
// search. Arrow keys move, Enter/selection shows the sample in the inspector.
// Shift/Ctrl-click and a rubber band select several images; the batch bar
// then accepts, rejects or clears all of them as one undoable step.
// Field filters (curator decision, expert findings, a score range) show
// how many images each option has; saved views (a named filter + sort +
// search + field filters) are stored in the project (core/store/savedviews).

#include <QVector>
#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QJsonObject;
class QLabel;
class QLineEdit;
class QPushButton;
class QListView;
class QStackedWidget;
class QToolButton;

namespace rs {

class ProjectSession;
class SampleListModel;
class ThumbnailCache;

class SampleBrowser : public QWidget {
    Q_OBJECT
public:
    explicit SampleBrowser(ProjectSession *session, QWidget *parent = nullptr);

    SampleListModel *model() const { return m_model; }
    QListView *view() const { return m_view; }
    QComboBox *filterBox() const { return m_filter; }
    QComboBox *reasonBox() const { return m_reason; }
    QComboBox *sortBox() const { return m_sort; }
    QToolButton *orderButton() const { return m_order; }
    QLineEdit *searchBox() const { return m_search; }
    qint64 currentId() const;
    // Ids of the selected images, in row order.
    QVector<qint64> selectedIds() const;
    // The batch bar (its buttons act while more than one image is selected).
    QWidget *batchBar() const { return m_batchBar; }
    QPushButton *batchButton(const QString &decision) const; // accept | reject | clear

    QComboBox *decisionBox() const { return m_decision; }
    QComboBox *featureBox() const { return m_feature; }
    QComboBox *scoreBox() const { return m_score; }
    QDoubleSpinBox *minBox() const { return m_min; }
    QDoubleSpinBox *maxBox() const { return m_max; }
    QComboBox *viewsBox() const { return m_views; }
    // The browser's state as a saved-view spec, and back (see savedviews.h).
    QJsonObject currentSpec() const;
    void applySpec(const QJsonObject &spec);
    // Stores the current state as view `name` and lists it; false (and the
    // reason in the summary line) when the store refuses.
    bool saveCurrentView(const QString &name);
    bool applyView(const QString &name);
    void selectSample(qint64 id); // clears filters that hide it
    void selectNext();
    void showCluster(int cluster);

Q_SIGNALS:
    void currentSampleChanged(qint64 id);

private:
    void refreshData();
    void updateSummary(int rows);
    void refreshReasons();
    void updateBatchBar();
    void refreshFacets();
    void refreshViews();
    void applyRange();

    ProjectSession *m_session;
    SampleListModel *m_model;
    ThumbnailCache *m_thumbs;
    QComboBox *m_filter, *m_reason, *m_sort;
    QToolButton *m_order, *m_clusterChip;
    QLineEdit *m_search;
    QLabel *m_summary, *m_empty;
    QListView *m_view;
    QStackedWidget *m_stack;
    QWidget *m_batchBar, *m_fieldBar;
    QComboBox *m_decision, *m_feature, *m_score, *m_views;
    QDoubleSpinBox *m_min, *m_max;
    QToolButton *m_fieldsToggle, *m_saveView;
    QLabel *m_batchLabel;
    QPushButton *m_batchAccept, *m_batchReject, *m_batchClear;
    qint64 m_wanted = -1; // selection to restore after a rebuild
};

} // namespace rs
