#include "ui/views/thresholdpanel.h"

#include "core/pipeline/livedecisions.h"
#include "ui/models/projectsession.h"
#include "ui/widgets/thresholdrow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QTimer>
#include <QVBoxLayout>

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

} // namespace

ThresholdPanel::ThresholdPanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    auto *inner = new QWidget;
    m_content = inner;
    auto *layout = new QVBoxLayout(inner);
    const std::pair<LiveDecisions::Table, const char *> sections[] = {
        {LiveDecisions::Table::Images, "Images (extract)"},
        {LiveDecisions::Table::Sentences, "Sentences (extract)"},
        {LiveDecisions::Table::Sample, "Balance sampling (sample)"}};
    for (auto [table, title] : sections) {
        auto *header = new QLabel(QStringLiteral("<h3 style='margin-bottom:0'>%1</h3>").arg(QLatin1String(title)), inner);
        layout->addWidget(header);
        auto *summary = new QLabel(QStringLiteral("—"), inner);
        summary->setWordWrap(true);
        m_summaries.insert(tableName(table), summary);
        layout->addWidget(summary);
        for (const QString &key : LiveDecisions::liveKeys()) {
            if (LiveDecisions::tableOf(key) != table)
                continue;
            const SettingDef *def = Recipe::find(key);
            if (!def)
                continue;
            if (def->kind == SettingDef::Kind::Int || def->kind == SettingDef::Kind::Double) {
                auto *row = new ThresholdRow(*def, inner);
                connect(row, &ThresholdRow::valueEdited, this, &ThresholdPanel::edit);
                m_rows.insert(key, row);
                layout->addWidget(row);
            } else if (def->kind == SettingDef::Kind::Bool) {
                auto *check = new QCheckBox(key, inner);
                check->setToolTip(tooltip(*def));
                connect(check, &QCheckBox::toggled, this, [this, key](bool on) {
                    edit(key, on ? QStringLiteral("true") : QStringLiteral("false"));
                });
                m_checks.insert(key, check);
                layout->addWidget(check);
            } else if (def->kind == SettingDef::Kind::Choice) {
                auto *box = new QComboBox(inner);
                box->addItems(def->choices);
                box->setToolTip(tooltip(*def));
                auto *line = new QHBoxLayout;
                auto *label = new QLabel(key, inner);
                label->setToolTip(tooltip(*def));
                line->addWidget(label);
                line->addWidget(box, 1);
                layout->addLayout(line);
                connect(box, &QComboBox::currentTextChanged, this, [this, key](const QString &v) { edit(key, v); });
                m_choices.insert(key, box);
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
        m_status->setText(QStringLiteral("Changed %1 — applying after a pause…").arg(key));
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
    auto result = m_session->previewSetting(key, value);
    if (!result)
        m_status->setText(result.error().toString());
}

void ThresholdPanel::loadValues()
{
    const Recipe &r = m_session->previewRecipe();
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it)
        it.value()->setValue(r.text(it.key()));
    for (auto it = m_checks.cbegin(); it != m_checks.cend(); ++it) {
        const QSignalBlocker block(it.value());
        it.value()->setChecked(r.boolValue(it.key()));
    }
    for (auto it = m_choices.cbegin(); it != m_choices.cend(); ++it) {
        const QSignalBlocker block(it.value());
        it.value()->setCurrentText(r.text(it.key()));
    }
}

void ThresholdPanel::refreshAll()
{
    m_lastKey.clear();
    refreshOthers();
    // Section summaries from one key per table.
    for (const QString &key : {QStringLiteral("extract.min_side"), QStringLiteral("extract.min_words"), QStringLiteral("sample.cap")}) {
        const auto out = m_session->outcome(key);
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
        if (it.key() == m_lastKey)
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
