#pragma once
// The one way to include QCustomPlot: the project builds with QT_NO_KEYWORDS
// (libtorch's headers use `slots`), while qcustomplot.h still spells Qt's
// keywords. Map them to the Q_ forms for the header only.

#ifndef signals
#define signals Q_SIGNALS
#define RS_UNDEF_SIGNALS
#endif
#ifndef slots
#define slots Q_SLOTS
#define RS_UNDEF_SLOTS
#endif
#ifndef emit
#define emit Q_EMIT
#define RS_UNDEF_EMIT
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define RS_UNDEF_FOREACH
#endif

#include <qcustomplot.h>

#ifdef RS_UNDEF_SIGNALS
#undef signals
#undef RS_UNDEF_SIGNALS
#endif
#ifdef RS_UNDEF_SLOTS
#undef slots
#undef RS_UNDEF_SLOTS
#endif
#ifdef RS_UNDEF_EMIT
#undef emit
#undef RS_UNDEF_EMIT
#endif
#ifdef RS_UNDEF_FOREACH
#undef foreach
#undef RS_UNDEF_FOREACH
#endif

namespace rs {

// QCustomPlot paints its own background, axes and legend in fixed colours;
// this takes them from the widget's palette so plots follow a dark or light
// scheme. Call it at construction and on QEvent::PaletteChange.
inline void applyPlotPalette(QCustomPlot *plot)
{
    const QPalette &pal = plot->palette();
    const QColor fg = pal.color(QPalette::WindowText), bg = pal.color(QPalette::Base);
    QColor grid = fg;
    grid.setAlpha(40);
    plot->setBackground(bg);
    for (QCPAxis *axis : plot->axisRect()->axes()) {
        axis->setBasePen(QPen(fg));
        axis->setTickPen(QPen(fg));
        axis->setSubTickPen(QPen(fg));
        axis->setTickLabelColor(fg);
        axis->setLabelColor(fg);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    if (plot->legend) {
        plot->legend->setBrush(bg);
        plot->legend->setTextColor(fg);
        plot->legend->setBorderPen(QPen(grid));
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace rs
