#include "ui/views/thresholdpanel.h"

#include "core/pipeline/livedecisions.h"
#include "ui/models/projectsession.h"
#include "ui/models/settinglabel.h"
#include "ui/widgets/thresholdrow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

QString tableName(LiveDecisions::Table t)
{
    switch (t) {
    case LiveDecisions::Table::Images: return QStringLiteral("images");
    case LiveDecisions::Table::Sentences: return QStringLiteral("sentences");
    case LiveDecisions::Table::Sample: return QStringLiteral("sample");
    case LiveDecisions::Table::None: break;
    }
    return {};
}

QString tooltip(const SettingDef &def)
{
    return QStringLiteral("%1\n%2 — default: %3").arg(def.meaning, def.key, def.defaultValue);
}

// Sections of the panel, in order; which settings sit in each is the
// SettingDef table's `panel` field (core/store/recipe.cpp).
struct Section {
    const char *id, *title;
    LiveDecisions::Table table; // what its live rows decide (None: applied by re-running a stage)
};
const Section kSections[] = {{"images", "Images (extract)", LiveDecisions::Table::Images},
                             {"sentences", "Sentences (extract)", LiveDecisions::Table::Sentences},
                             {"retrieval", "Retrieval fusion (retrieve)", LiveDecisions::Table::None},
                             {"sample", "Balance sampling (sample)", LiveDecisions::Table::Sample}};

QToolButton *makeResetButton(const SettingDef &def, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setText(QStringLiteral("↺"));
    b->setAutoRaise(true);
    b->setToolTip(QStringLiteral("Reset to the default (%1)").arg(def.defaultValue));
    b->setAccessibleName(QStringLiteral("reset ") + def.key);
    return b;
}

} // namespace

ThresholdPanel::ThresholdPanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *inner = new QWidget;
    m_content = inner;
    auto *layout = new QVBoxLayout(inner);
    for (const Section &section : kSections) {
        auto *header = new QLabel(QStringLiteral("<h3 style='margin-bottom:0'>%1</h3>").arg(QLatin1String(section.title)), inner);
        layout->addWidget(header);
        auto *summary = new QLabel(section.table == LiveDecisions::Table::None
                                       ? QStringLiteral("Not previewed: a change makes retrieve and later stages stale.")
                                       : QStringLiteral("—"),
                                   inner);
        summary->setWordWrap(true);
        if (section.table != LiveDecisions::Table::None)
            m_summaries.insert(tableName(section.table), summary);
        layout->addWidget(summary);
        for (const SettingDef &def : Recipe::definitions()) {
            if (def.panel != QLatin1String(section.id))
                continue;
            const QString key = def.key;
            const QString label = def.label.isEmpty() ? key : def.label;
            QToolButton *reset = nullptr;
            if (def.kind == SettingDef::Kind::Int || def.kind == SettingDef::Kind::Double) {
                auto *row = new ThresholdRow(def, LiveDecisions::isLive(key), inner);
                connect(row, &ThresholdRow::valueEdited, this, &ThresholdPanel::edit);
                m_rows.insert(key, row);
                layout->addWidget(row);
                reset = row->resetButton();
            } else if (def.kind == SettingDef::Kind::Bool) {
                auto *check = new QCheckBox(label, inner);
                check->setToolTip(tooltip(def));
                connect(check, &QCheckBox::toggled, this, [this, key](bool on) {
                    edit(key, on ? QStringLiteral("true") : QStringLiteral("false"));
                });
                m_checks.insert(key, check);
                auto *line = new QHBoxLayout;
                reset = makeResetButton(def, inner);
                line->addWidget(check, 1);
                line->addWidget(reset);
                layout->addLayout(line);
            } else if (def.kind == SettingDef::Kind::Choice) {
                auto *box = new QComboBox(inner);
                box->addItems(def.choices);
                box->setToolTip(tooltip(def));
                auto *line = new QHBoxLayout;
                auto *name = new QLabel(label, inner);
                name->setToolTip(tooltip(def));
                reset = makeResetButton(def, inner);
                line->addWidget(name);
                line->addWidget(box, 1);
                line->addWidget(reset);
                layout->addLayout(line);
                connect(box, &QComboBox::currentTextChanged, this, [this, key](const QString &v) { edit(key, v); });
                m_choices.insert(key, box);
            }
            if (reset) {
                m_resets.insert(key, reset);
                connect(reset, &QToolButton::clicked, this, [this, key]() {
                    if (Status s = m_session->resetSetting(key); !s)
                        m_status->setText(s.error().toString());
                });
            }
        }
    }
    layout->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_status = new QLabel(QStringLiteral("Open a project to tune its filters."), this);
    m_status->setWordWrap(true);
    auto *applyNow = new QPushButton(QStringLiteral("Apply now"), this);
    applyNow->setToolTip(QStringLiteral("Store the changed settings and re-decide in the project now (they apply by themselves after a pause)"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(applyNow);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(2, 2, 2, 2);
    outer->addLayout(top);
    outer->addWidget(scroll, 1);

    m_refresh = new QTimer(this);
    m_refresh->setSingleShot(true);
    m_refresh->setInterval(120);
    connect(m_refresh, &QTimer::timeout, this, &ThresholdPanel::refreshOthers);
    connect(applyNow, &QPushButton::clicked, m_session, &ProjectSession::applyNow);
    connect(m_session, &ProjectSession::opened, this, [this]() {
        loadValues();
        m_status->setText(QStringLiteral("Reading scores…"));
    });
    connect(m_session, &ProjectSession::liveChanged, this, [this]() {
        loadValues();
        refreshAll();
        m_status->setText(QStringLiteral("Moving a threshold re-decides at once; it is stored after a pause, and later stages become stale."));
    });
    connect(m_session, &ProjectSession::preview, this, [this](const QString &key, const LiveDecisions::Outcome &outcome) {
        // The value may come from undo, redo or a reset, not from this panel.
        loadValue(key);
        const QString label = settingLabel(key);
        if (outcome.table == LiveDecisions::Table::None) {
            // Not previewed (fusion weights): stored after the pause like the rest.
            m_status->setText(QStringLiteral("Changed %1 — stored after a pause; re-run retrieve to see its effect.").arg(label));
            return;
        }
        auto live = m_session->live();
        if (ThresholdRow *row = m_rows.value(key); row && live)
            row->setOutcome(outcome, live->reasonNames(outcome.table));
        if (QLabel *summary = m_summaries.value(tableName(outcome.table))) {
            const QLocale loc;
            const qint64 unprobed = m_session->unprobedImages();
            if (outcome.table == LiveDecisions::Table::Images && unprobed > 0 && unprobed == outcome.counts.total) {
                // Nothing is decided before extract probes the images: "kept 0" would read as a failure.
                summary->setText(QStringLiteral("%1 images not probed yet: run extract to decide them").arg(loc.toString(unprobed)));
            } else {
                summary->setText(QStringLiteral("kept <b>%1</b> of %2 · preview took %3 ms")
                                     .arg(loc.toString(outcome.counts.kept), loc.toString(outcome.counts.total))
                                     .arg(outcome.elapsedMs, 0, 'f', 1));
            }
        }
        m_status->setText(QStringLiteral("Changed %1 — applying after a pause…").arg(label));
        m_lastKey = key;
        m_lastOutcome = outcome;
        m_refresh->start();
    });
    connect(m_session, &ProjectSession::applied, this, [this](const Status &s) {
        m_status->setText(s ? QStringLiteral("Applied. Stages after the changed one are now stale (see Pipeline).")
                            : QStringLiteral("Could not apply: ") + s.error().toString());
    });
}

void ThresholdPanel::edit(const QString &key, const QString &value)
{
    if (!m_session->isOpen())
        return;
    // Undoable, through the session (Edit ▸ Undo, the History dock).
    if (Status s = m_session->changeSetting(key, value); !s)
        m_status->setText(s.error().toString());
}

void ThresholdPanel::loadValue(const QString &key)
{
    const Recipe &r = m_session->previewRecipe();
    if (ThresholdRow *row = m_rows.value(key)) {
        // Only when it differs: a slider being dragged keeps its position.
        if (std::abs(row->value() - r.doubleValue(key)) > 1e-9 * std::max(1.0, std::abs(r.doubleValue(key))))
            row->setValue(r.text(key));
    }
    if (QCheckBox *check = m_checks.value(key)) {
        const QSignalBlocker block(check);
        check->setChecked(r.boolValue(key));
    }
    if (QComboBox *box = m_choices.value(key)) {
        const QSignalBlocker block(box);
        box->setCurrentText(r.text(key));
    }
    if (QToolButton *reset = m_resets.value(key))
        reset->setEnabled(!r.isDefault(key));
}

void ThresholdPanel::loadValues()
{
    for (const SettingDef &def : Recipe::definitions())
        if (!def.panel.isEmpty())
            loadValue(def.key);
}

void ThresholdPanel::refreshAll()
{
    m_lastKey.clear();
    refreshOthers();
    // Section summaries from one key per table.
    for (const Section &section : kSections) {
        if (section.table == LiveDecisions::Table::None)
            continue;
        const auto key = std::find_if(Recipe::definitions().cbegin(), Recipe::definitions().cend(), [&](const SettingDef &d) {
            return d.panel == QLatin1String(section.id) && LiveDecisions::isLive(d.key);
        });
        if (key == Recipe::definitions().cend())
            continue;
        const auto out = m_session->outcome(key->key);
        if (QLabel *summary = m_summaries.value(tableName(out.table)))
            summary->setText(out.table == LiveDecisions::Table::Images && m_session->unprobedImages() > 0
                                     && m_session->unprobedImages() == out.counts.total
                                 ? QStringLiteral("%1 images not probed yet: run extract to decide them").arg(QLocale().toString(out.counts.total))
                                 : QStringLiteral("kept <b>%1</b> of %2").arg(QLocale().toString(out.counts.kept), QLocale().toString(out.counts.total)));
    }
}

void ThresholdPanel::refreshOthers()
{
    auto live = m_session->live();
    if (!live)
        return;
    const Recipe &recipe = m_session->previewRecipe();
    const LiveDecisions::Table changed = m_lastKey.isEmpty() ? LiveDecisions::Table::None : m_lastOutcome.table;
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it) {
        if (it.key() == m_lastKey || !LiveDecisions::isLive(it.key()))
            continue;
        const LiveDecisions::Table table = LiveDecisions::tableOf(it.key());
        if (changed == LiveDecisions::Table::None) {
            // After a load: every row from scratch.
            const auto out = m_session->outcome(it.key());
            it.value()->setOutcome(out, live->reasonNames(out.table));
        } else if (table == changed && changed != LiveDecisions::Table::Sample) {
            // Same table: same decisions, only this row's score is binned again.
            LiveDecisions::Outcome out;
            out.table = table;
            out.counts = m_lastOutcome.counts;
            out.histogram = live->histogramOf(it.key(), recipe, m_lastOutcome.codes);
            it.value()->setOutcome(out, live->reasonNames(table));
        } else if (table == LiveDecisions::Table::Sample && changed != LiveDecisions::Table::Sentences) {
            // Sampling counts what the image filters keep.
            const auto out = m_session->outcome(it.key());
            it.value()->setOutcome(out, live->reasonNames(out.table));
        }
    }
}

} // namespace rs
