#pragma once
// ClusterPlot: cluster sizes before and after balance sampling as a rank
// plot (clusters sorted by size before sampling, largest first), with the
// cap as a horizontal line and an optional log-scale size axis. Clicking a
// rank emits that cluster's id.

#include "ui/plots/qcustomplot_wrapper.h"

#include <vector>

namespace rs {

class ClusterPlot : public QCustomPlot {
    Q_OBJECT
public:
    explicit ClusterPlot(QWidget *parent = nullptr);

    // sizes per cluster id; after may be empty (nothing sampled yet).
    void setSizes(const std::vector<qint64> &before, const std::vector<qint64> &after);
    void setCap(double cap); // <= 0 hides the line
    void setLogScale(bool on);
    bool logScale() const { return m_log; }
    int clusterAtRank(int rank) const;

Q_SIGNALS:
    void clusterClicked(int cluster);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void updateRange();

    std::vector<int> m_order; // rank -> cluster id
    double m_max = 1;
    bool m_log = false;
    QCPGraph *m_before = nullptr;
    QCPGraph *m_after = nullptr;
    QCPItemStraightLine *m_cap = nullptr;
};

} // namespace rs
