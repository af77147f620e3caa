#pragma once
// ClusterView: semantic balance at a glance. Cluster sizes before and after
// sampling (ClusterPlot), the cap line, Gini and entropy before/after, a log
// scale switch, and the cap itself: changing it re-counts at once from the
// stored clusters and re-samples for real after a pause. Clicking a cluster
// shows its images in the browser.

#include <QWidget>

#include <vector>

class QCheckBox;
class QLabel;
class QSpinBox;
class QStackedWidget;

namespace rs {

class ClusterPlot;
class ProjectSession;

class ClusterView : public QWidget {
    Q_OBJECT
public:
    explicit ClusterView(ProjectSession *session, QWidget *parent = nullptr);

    ClusterPlot *plot() const { return m_plot; }
    QSpinBox *capBox() const { return m_cap; }
    QLabel *figures() const { return m_figures; }

Q_SIGNALS:
    void clusterClicked(int cluster);

private:
    void reload();
    void updateAfter();

    ProjectSession *m_session;
    ClusterPlot *m_plot;
    QSpinBox *m_cap;
    QCheckBox *m_log;
    QLabel *m_figures, *m_empty;
    QStackedWidget *m_stack;
    std::vector<qint64> m_before;
    QString m_method;
};

} // namespace rs
