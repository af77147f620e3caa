#include "ui/plots/clusterplot.h"

#include <algorithm>
#include <numeric>

namespace rs {

ClusterPlot::ClusterPlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumHeight(160);
    m_before = addGraph();
    m_before->setName(QStringLiteral("before sampling"));
    m_before->setLineStyle(QCPGraph::lsStepLeft);
    m_before->setPen(QPen(QColor(150, 150, 150)));
    m_before->setBrush(QColor(200, 200, 200, 150));
    m_after = addGraph();
    m_after->setName(QStringLiteral("after sampling"));
    m_after->setLineStyle(QCPGraph::lsStepLeft);
    m_after->setPen(QPen(QColor(40, 110, 190)));
    m_after->setBrush(QColor(40, 110, 190, 110));
    m_cap = new QCPItemStraightLine(this);
    m_cap->setPen(QPen(QColor(200, 40, 40), 1.5, Qt::DashLine));
    xAxis->setLabel(QStringLiteral("clusters, largest first (rank)"));
    yAxis->setLabel(QStringLiteral("images"));
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 8));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    applyPlotPalette(this);
}

void ClusterPlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPlotPalette(this);
}

void ClusterPlot::wheelEvent(QWheelEvent *event)
{
    // No zooming here: the wheel scrolls the panel the plot sits in.
    event->ignore();
}

void ClusterPlot::setSizes(const std::vector<qint64> &before, const std::vector<qint64> &after)
{
    m_order.resize(before.size());
    std::iota(m_order.begin(), m_order.end(), 0);
    std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) { return before[size_t(a)] > before[size_t(b)]; });
    QVector<double> x, yb, ya;
    m_max = 1;
    for (size_t r = 0; r < m_order.size(); ++r) {
        const size_t c = size_t(m_order[r]);
        x.push_back(double(r));
        // Log axes cannot show 0: empty clusters sit at the axis floor.
        yb.push_back(std::max<double>(double(before[c]), m_log ? 0.5 : 0.0));
        ya.push_back(std::max<double>(c < after.size() ? double(after[c]) : 0.0, m_log ? 0.5 : 0.0));
        m_max = std::max(m_max, double(before[c]));
    }
    if (!x.isEmpty()) {
        x.push_back(double(x.size()));
        yb.push_back(yb.back());
        ya.push_back(ya.back());
    }
    m_before->setData(x, yb, true);
    if (after.empty())
        m_after->data()->clear();
    else
        m_after->setData(x, ya, true);
    updateRange();
}

void ClusterPlot::setCap(double cap)
{
    m_cap->setVisible(cap > 0);
    m_cap->point1->setCoords(0, cap);
    m_cap->point2->setCoords(1, cap);
    replot(QCustomPlot::rpQueuedReplot);
}

void ClusterPlot::setLogScale(bool on)
{
    m_log = on;
    yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    yAxis->setTicker(on ? QSharedPointer<QCPAxisTicker>(QSharedPointer<QCPAxisTickerLog>::create())
                        : QSharedPointer<QCPAxisTicker>::create());
    updateRange();
}

void ClusterPlot::updateRange()
{
    xAxis->setRange(0, std::max<double>(1, double(m_order.size())));
    if (m_log)
        yAxis->setRange(0.5, m_max * 2);
    else
        yAxis->setRange(0, m_max * 1.05);
    replot(QCustomPlot::rpQueuedReplot);
}

int ClusterPlot::clusterAtRank(int rank) const
{
    return rank >= 0 && size_t(rank) < m_order.size() ? m_order[size_t(rank)] : -1;
}

void ClusterPlot::mousePressEvent(QMouseEvent *event)
{
    QCustomPlot::mousePressEvent(event);
    if (event->button() != Qt::LeftButton || !axisRect()->rect().contains(event->pos()))
        return;
    const int cluster = clusterAtRank(int(std::floor(xAxis->pixelToCoord(event->pos().x()))));
    if (cluster >= 0)
        Q_EMIT clusterClicked(cluster);
}

} // namespace rs
