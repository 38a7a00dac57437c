"""The Positions view: a topic's map drawn by Cytoscape.js in the browser (people as
nodes sized by engagement, replies as arrows coloured by stance), and a panel with the
quotes of whoever is clicked.

The script ships in `web/static/` (Cytoscape.js 3.34.4, MIT), so the page works on an
air-gapped machine. Names and quotes reach the picture as data, drawn as canvas text,
and the panel as escaped HTML: nothing from the corpus is ever parsed as markup."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from askalign.index.feedback import RateLimit
from askalign.positions import PositionMap, Relation
from askalign.positions.markdown import to_markdown
from askalign.positions.sides import LEADS
from askalign.text.markdown_out import escape_markdown, http_url, one_line
from askalign.web.exports import ExportRefused, export_button

STATIC = Path(__file__).with_name("static")
SCRIPT = STATIC / "cytoscape.min.js"
COLOURS = {LEADS: "#1f6feb", "agrees": "#2da44e", "disagrees": "#cf222e", None: "#8c959f"}
EDGE_COLOURS = {Relation.AGREES: "#2da44e", Relation.DISAGREES: "#cf222e"}
MAX_LABEL = 28
PICK_HINT = "Click a person in the picture to read their words."
HEAD = f'<script src="/gradio_api/file={SCRIPT}"></script>'
TEMPLATE = '<div class="positions-graph" style="height: 440px; width: 100%;"></div>'
DRAW = """
const draw = () => {
  const data = props.value || {nodes: [], edges: []};
  const box = element.querySelector('.positions-graph');
  if (element.graph) { element.graph.destroy(); }
  element.graph = cytoscape({
    container: box,
    elements: [...data.nodes.map(n => ({data: n})), ...data.edges.map(e => ({data: e}))],
    style: [
      {selector: 'node', style: {'label': 'data(label)', 'width': 'data(size)',
        'height': 'data(size)', 'background-color': 'data(colour)', 'font-size': 12,
        'text-valign': 'bottom', 'text-margin-y': 4}},
      {selector: 'edge', style: {'width': 2, 'line-color': 'data(colour)',
        'target-arrow-color': 'data(colour)', 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier'}},
      {selector: 'node:selected', style: {'border-width': 3, 'border-color': '#000'}}
    ],
    layout: {name: data.nodes.length > 2 ? 'cose' : 'grid', animate: false, randomize: false,
      nodeRepulsion: () => 12000, idealEdgeLength: () => 120, padding: 40},
    userZoomingEnabled: false
  });
  box.graph = element.graph;  // for the browser tests
  element.graph.on('tap', 'node',
    event => trigger('click', {speaker: event.target.data('speaker')}));
};
window.cytoscape ? draw() : document.querySelector('script[src*="cytoscape"]')
  .addEventListener('load', draw);
watch('value', draw);
"""


def graph_data(found: PositionMap) -> dict:
    """Nodes and edges as plain data; the browser draws the labels as canvas text. Ids are
    ours, `n:` and `e:` and a number, never a name: a speaker called like an edge would
    otherwise take its id, and Cytoscape would drop the edge."""
    most = max((p.engagement for p in found.positions), default=1.0) or 1.0
    ids = {p.speaker: f"n:{number}" for number, p in enumerate(found.positions)}
    nodes = [
        {
            "id": ids[p.speaker],
            "speaker": p.speaker,
            "label": _short(p.speaker) + ("" if p.karma is None else f" ({p.karma})"),
            "size": round(24 + 36 * p.engagement / most),
            "colour": COLOURS[p.side.split()[0] if p.side else None],
        }
        for p in found.positions
    ]
    edges = [
        {
            "id": f"e:{number}",
            "source": ids[e.from_speaker],
            "target": ids[e.to],
            "colour": EDGE_COLOURS.get(e.relation, COLOURS[None]),
        }
        for number, e in enumerate(found.exchanges)
        if e.from_speaker in ids and e.to in ids
    ]
    return {"nodes": nodes, "edges": edges}


def _short(name: str) -> str:
    """A label that fits beside its node; the panel gives the whole name."""
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1].rstrip() + "…"


def speaker_html(found: PositionMap | None, speaker: str) -> str:
    """One person's quotes and replies, each with its source, as escaped HTML."""
    position = next((p for p in (found.positions if found else []) if p.speaker == speaker), None)
    if position is None:
        return f"<p>{html.escape(PICK_HINT)}</p>"
    facts = [position.role.value, position.document]
    if position.karma is not None:
        facts.append(f"karma {position.karma}")
    if position.side:
        facts.append(position.side)
    parts = [f"<h3>{html.escape(speaker)}</h3><p>{html.escape(' · '.join(facts))}</p>"]
    for quote in position.quotes:
        source = html.escape(quote.document)
        url = http_url(quote.url)
        if url:
            link = html.escape(url)
            source = f'<a href="{link}" target="_blank" rel="noopener">{source}</a>'
        parts.append(
            f'<blockquote class="map-quote">{html.escape(quote.display)}'
            f' <b>[{quote.n}]</b></blockquote><p class="map-source">{source}</p>'
        )
    shown = {quote.n for quote in position.quotes}
    for exchange in found.exchanges if found else []:
        if exchange.from_speaker == speaker and exchange.source.n not in shown:
            said = exchange.relation.value + (f" (“{exchange.marker}”)" if exchange.marker else "")
            parts.append(
                f"<p>Replying to {html.escape(exchange.to)}, {html.escape(said)}:</p>"
                f'<blockquote class="map-quote">{html.escape(exchange.quote)}'
                f" <b>[{exchange.source.n}]</b></blockquote>"
            )
    return "".join(parts)


def markdown_text(found: PositionMap | None) -> str:
    if found is None:
        raise ExportRefused("draw a map first")
    return to_markdown(found)


def summary_markdown(found: PositionMap) -> str:
    topic = escape_markdown(one_line(found.topic))
    if not found.positions:
        return f"Nobody in the texts addresses “{topic}”."
    stated = sum(e.relation is not Relation.RESPONDS for e in found.exchanges)
    return (
        f"{len(found.positions)} people on “{topic}”, {len(found.exchanges)} replies"
        f" ({stated} state agreement or disagreement in their own words). Colours come"
        " only from such words: blue leads, red disagrees with it, green agrees, grey"
        " where the text does not say. Bigger means more said on the topic."
    )


def positions_view(
    build: Callable[[str, str | None], PositionMap], doc_choices: list, exports: RateLimit
) -> None:
    """The tab's components and events, inside the app's Blocks; `exports` limits how
    often the map is exported."""
    gr.set_static_paths([STATIC])
    with gr.Row():
        topic = gr.Textbox(
            placeholder="A topic, e.g. whether a reward function can be written safely",
            show_label=False,
            scale=5,
            elem_id="map-topic",
        )
        doc = gr.Dropdown(doc_choices, value="", label="Document", scale=2, elem_id="map-doc")
        draw = gr.Button("Map", variant="primary", scale=1, min_width=80, elem_id="map-go")
    summary = gr.Markdown(elem_id="map-summary")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            picture = gr.HTML(
                {"nodes": [], "edges": []},
                html_template=TEMPLATE,
                js_on_load=DRAW,
                head=HEAD,
                elem_id="map-picture",
            )
        with gr.Column(scale=2):
            detail = gr.HTML(f"<p>{html.escape(PICK_HINT)}</p>", elem_id="map-detail")
    current = gr.State(None)
    export_button("Export map (Markdown)", "positions.md", markdown_text, current, exports)

    def run(text: str, document: str) -> tuple:
        if not text.strip():
            return None, {"nodes": [], "edges": []}, "Type a topic to map.", ""
        found = build(text.strip(), document or None)
        return found, graph_data(found), summary_markdown(found), speaker_html(None, "")

    def pick(found: PositionMap | None, event: gr.EventData) -> str:
        return speaker_html(found, getattr(event, "speaker", ""))

    outputs = [current, picture, summary, detail]
    page_only = {"api_visibility": "private"}
    topic.submit(run, [topic, doc], outputs, **page_only)
    draw.click(run, [topic, doc], outputs, **page_only)
    picture.click(pick, current, detail, **page_only)
