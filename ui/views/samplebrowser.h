#pragma once
// SampleBrowser: the virtualized thumbnail grid over every image of the
// project (a QListView in icon mode over SampleListModel), with filter
// (all / kept / rejected, by reason, by cluster), sort by any score and text
// search. Arrow keys move, Enter/selection shows the sample in the inspector.

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
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
    QLineEdit *searchBox() const { return m_search; }
    qint64 currentId() const;
    void selectSample(qint64 id); // clears filters that hide it
    void selectNext();
    void showCluster(int cluster);

Q_SIGNALS:
    void currentSampleChanged(qint64 id);

private:
    void refreshData();
    void updateSummary(int rows);
    void refreshReasons();

    ProjectSession *m_session;
    SampleListModel *m_model;
    ThumbnailCache *m_thumbs;
    QComboBox *m_filter, *m_reason, *m_sort;
    QToolButton *m_order, *m_clusterChip;
    QLineEdit *m_search;
    QLabel *m_summary, *m_empty;
    QListView *m_view;
    QStackedWidget *m_stack;
    qint64 m_wanted = -1; // selection to restore after a rebuild
};

} // namespace rs
