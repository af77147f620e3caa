#include "ui/plots/histogramplot.h"

#include <cmath>

namespace rs {

HistogramPlot::HistogramPlot(QWidget *parent) : QCustomPlot(parent)
{
    setMinimumHeight(90);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_all = addGraph();
    m_all->setLineStyle(QCPGraph::lsStepLeft);
    m_all->setPen(QPen(QColor(150, 150, 150)));
    m_all->setBrush(QColor(200, 200, 200, 160));
    m_all->setName(QStringLiteral("dropped"));
    m_kept = addGraph();
    m_kept->setLineStyle(QCPGraph::lsStepLeft);
    m_kept->setPen(QPen(QColor(40, 110, 190)));
    m_kept->setBrush(QColor(40, 110, 190, 120));
    m_kept->setName(QStringLiteral("kept"));
    m_line = new QCPItemStraightLine(this);
    m_line->setPen(QPen(QColor(200, 40, 40), 2));
    xAxis->setTickLabelFont(QFont(font().family(), 7));
    yAxis->setTickLabelFont(QFont(font().family(), 7));
    xAxis->setLabelFont(QFont(font().family(), 8));
    yAxis->setTicker(QSharedPointer<QCPAxisTickerFixed>::create());
    yAxis->ticker()->setTickCount(3);
    axisRect()->setMargins(QMargins(0, 0, 0, 0));
    axisRect()->setAutoMargins(QCP::msLeft | QCP::msBottom);
    applyPlotPalette(this);
}

void HistogramPlot::changeEvent(QEvent *event)
{
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPlotPalette(this);
}

void HistogramPlot::wheelEvent(QWheelEvent *event)
{
    // No zooming here: the wheel scrolls the panel the plot sits in.
    event->ignore();
}

double HistogramPlot::toPlot(double x) const
{
    return m_histogram.logScale ? std::log10(1.0 + std::max(0.0, x)) : x;
}

double HistogramPlot::fromPlot(double t) const
{
    return m_histogram.logScale ? std::pow(10.0, t) - 1.0 : t;
}

void HistogramPlot::setHistogram(const LiveDecisions::Histogram &h)
{
    m_histogram = h;
    QVector<double> xs, all, kept;
    double top = 1;
    for (size_t b = 0; b + 1 < h.edges.size() && b < h.kept.size(); ++b) {
        xs.push_back(toPlot(h.edges[b]));
        all.push_back(h.kept[b] + h.dropped[b]);
        kept.push_back(h.kept[b]);
        top = std::max(top, all.back());
    }
    if (!xs.isEmpty()) { // close the last step
        xs.push_back(toPlot(h.edges.back()));
        all.push_back(all.back());
        kept.push_back(kept.back());
    }
    m_all->setData(xs, all, true);
    m_kept->setData(xs, kept, true);
    const double lo = xs.isEmpty() ? 0 : xs.front(), hi = xs.isEmpty() ? 1 : xs.back();
    const double pad = (hi - lo) * 0.02 + 1e-9;
    xAxis->setRange(lo - pad, hi + pad);
    yAxis->setRange(0, top * 1.08);
    static_cast<QCPAxisTickerFixed *>(yAxis->ticker().data())->setTickStep(std::max(1.0, std::pow(10.0, std::floor(std::log10(top)))));
    static_cast<QCPAxisTickerFixed *>(yAxis->ticker().data())->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    if (h.logScale) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (double v : {0.0, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5, 1e6, 1e7, 1e8, 1e9}) {
            const double t = toPlot(v);
            if (t >= lo - pad && t <= hi + pad)
                ticker->addTick(t, v >= 1e6 ? QStringLiteral("%1M").arg(v / 1e6) : v >= 1e4 ? QStringLiteral("%1k").arg(v / 1e3) : QString::number(v));
        }
        xAxis->setTicker(ticker);
    } else {
        xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    xAxis->setLabel(h.scoreName);
    setThreshold(h.threshold);
}

void HistogramPlot::setThreshold(double value)
{
    m_histogram.threshold = value;
    const double t = toPlot(value);
    m_line->point1->setCoords(t, 0);
    m_line->point2->setCoords(t, 1);
    m_line->setVisible(!m_histogram.edges.empty());
    replot(QCustomPlot::rpQueuedReplot);
}

void HistogramPlot::mousePressEvent(QMouseEvent *event)
{
    QCustomPlot::mousePressEvent(event);
    if (event->button() == Qt::LeftButton && axisRect()->rect().contains(event->pos()) && !m_histogram.edges.empty())
        Q_EMIT thresholdPicked(fromPlot(xAxis->pixelToCoord(event->pos().x())));
}

} // namespace rs
