"""The website edition's explorer data: keys, the cells a filter can show, the page's JSON."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval import formatting
from rtp_eval.charts import (
    GROUP_STYLE,
    MARKER_SHAPES,
    OPEN_BAR_HATCH,
    Chart,
    Series,
    chart_json,
)
from rtp_eval.explore import (
    ALL_ROWS,
    category_filter,
    explorer_data,
    figure_explorer,
    parse_key,
    period_filter,
    report_tables,
    rows_filter,
    script_json,
    stored_key,
    swapped_key,
    table_rows_filter,
    with_filters,
)
from rtp_eval.report import explorer_script
from rtp_eval.report_content import Cell, ReportTable, number_cell, pick, row_key

KEYS = ("period", "support_type", "group")
values_text = st.text(alphabet="abcdefghij0123456789-_ ", min_size=0, max_size=8)


@given(
    st.dictionaries(
        st.sampled_from(["period", "support_type", "group", "area"]), values_text, min_size=1
    ),
    st.dictionaries(st.sampled_from(["period", "support_type", "x"]), values_text),
)
def test_swapped_key_replaces_exactly_the_chosen_columns(
    row: dict[str, str], choice: dict[str, str]
) -> None:
    key = row_key(row, list(row))
    swapped = dict(parse_key(swapped_key(key, choice)))
    assert list(swapped) == list(row)
    for column, value in row.items():
        assert swapped[column] == choice.get(column, value)
    columns, values = stored_key(key)
    assert columns.split(";") == list(row)
    assert values.split("|") == [str(v) for v in row.values()]


def _business() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2020", "2020", "2020", "2021", "2021"],
            "support_type": ["all", "all", "investment", "all", "investment"],
            "group": ["women", "men", "women", "women", "women"],
            "decisions": [12.0, 30.0, 5.0, 1234.0, None],
        }
    )


def _table(frame: pd.DataFrame) -> ReportTable:
    rows = []
    for period in ("2020", "2021"):
        cells = [Cell(period)]
        for group in ("women", "men"):
            where = {"period": period, "support_type": "all", "group": group}
            cells.append(
                number_cell(
                    pick(frame, **where), "business", KEYS, "decisions", formatting.number, where
                )
            )
        rows.append(cells)
    return ReportTable("tabell-test", "Beslut per år", ["År", "Kvinnor", "Män"], rows)


def test_the_cells_a_filter_can_show_are_the_published_cells_as_printed() -> None:
    frame = _business()
    table = _table(frame)
    by_type = category_filter(
        "support_type", "Stödform", frame["support_type"], {"investment": "Investering"}, "Alla"
    )
    filtered = with_filters(table, by_type, table_rows_filter(table, "period", "År"))
    data = explorer_data([filtered], [], {"business": frame})
    cells = data["cells"]["business"]["period;support_type;group"]
    # The page's own cells, as printed (2021 men has no row: `..`, marked as missing).
    printed = {stored_key(cell.source[1])[1]: cell.text for row in table.rows for cell in row[1:]}
    for values, text in printed.items():
        assert cells[values]["decisions"] == text
    assert cells["2021|all|women"]["decisions"] == "1\u00a0234"
    assert cells["2021|all|men"] == {"decisions": "..", "_missing": "1"}
    # Chosen support type: published cells, a hidden one stays `..`, absent rows are marked.
    assert cells["2020|investment|women"]["decisions"] == "5"
    assert cells["2021|investment|women"] == {"decisions": ".."}
    assert cells["2020|investment|men"]["_missing"] == "1"
    assert len(cells) == 2 * 2 * 2
    spec = data["tables"]["tabell-test"]
    assert [f["mode"] for f in spec["filters"]] == ["swap", "rows"]
    assert spec["filters"][1]["options"] == [[ALL_ROWS, "Alla"], ["2020", "2020"], ["2021", "2021"]]
    assert spec["columns"] == ["decisions"]
    assert spec["sources"][spec["cells"][1][1][0]] == [
        "business",
        "period=2021;support_type=all;group=men",
    ]


def test_a_filter_with_one_option_is_left_out_and_unknown_tables_are_an_error() -> None:
    table = _table(_business())
    lone = period_filter(["2020"], "2020")
    assert with_filters(table, lone).filters == ()
    filtered = with_filters(table, period_filter(["2020", "2021"], "2020"))
    assert report_tables({"a": [filtered, table], "b": {"c": filtered}}) == [filtered, filtered]
    with pytest.raises(KeyError, match="no published table business"):
        explorer_data([filtered], [], {})


def test_category_filter_orders_labelled_codes_first() -> None:
    present = ["z", "all", "b", "a", "b"]
    made = category_filter("support_type", "Stödform", present, {"b": "Bee", "a": "Aa"}, "Alla")
    assert made.options == (("all", "Alla"), ("b", "Bee"), ("a", "Aa"), ("z", "z"))
    assert made.default == "all" and made.mode == "swap"
    rows = rows_filter("area", "Område", [("x", "X")])
    assert rows.options[0] == (ALL_ROWS, "Alla") and rows.default == ALL_ROWS


def _chart(value: float | None) -> Chart:
    return Chart(
        name="test",
        title=f"Titel {value}",
        alt_text="Alt <b> & text",
        data=pd.DataFrame({"år": [2020], "värde": [formatting.percent(value, 0)]}),
        kind="columns",
        categories=("2020",),
        series=(
            Series(
                label="Kvinnor",
                who="Kvinnor",
                group="women",
                mark="point",
                values=(value,),
                texts=(formatting.percent(value, 0),),
                slot=0,
                low=(None if value is None else value / 2,),
                high=(None if value is None else 1 / 3,),
            ),
        ),
        value_format="percent",
        axis_max=1.0,
    )


def test_figure_explorer_draws_a_chart_for_every_choice() -> None:
    by_type = category_filter("support_type", "Stödform", ["all", "a", "b"], {}, "Alla")
    drawn = []

    def draw(support_type: str) -> Chart:
        drawn.append(support_type)
        return _chart(None if support_type == "b" else 0.5)

    explorer = figure_explorer("test", [by_type], draw)
    assert drawn == ["all", "a", "b"]
    assert list(explorer.charts) == ["all", "a", "b"]
    payload = chart_json(explorer.charts["a"])
    assert payload["series"][0]["values"] == [0.5]
    assert payload["series"][0]["high"] == [0.333333333333]
    assert payload["table"] == {"columns": ["år", "värde"], "rows": [["2020", "50\u00a0%"]]}
    assert chart_json(explorer.charts["b"])["series"][0]["values"] == [None]
    lone = figure_explorer("test", [], lambda: _chart(0.1))
    assert list(lone.charts) == [""] and lone.filters == ()


def test_script_json_cannot_end_the_script_element_and_is_stable() -> None:
    data = {"b": "</script><!-- & >", "a": [1.5, None, "å"]}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
    assert text == script_json(dict(reversed(list(data.items()))))
    assert text.index('"a"') < text.index('"b"')


def test_the_script_can_stand_inline() -> None:
    script = explorer_script()
    assert "</" not in script
    assert "fetch(" not in script and "XMLHttpRequest" not in script and "import(" not in script
    assert "http://" not in script.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in script


def test_the_script_draws_the_groups_as_the_printed_figures_do() -> None:
    styles = explorer_data([], [], {})["styles"]
    for group, style in GROUP_STYLE.items():
        drawn = styles["groups"][group]
        assert drawn["color"] == style["color"]
        assert drawn["hatch"] == style["hatch"]
        assert drawn["marker"] == MARKER_SHAPES[style["marker"]]
    assert styles["openBarHatch"] == OPEN_BAR_HATCH
    script = explorer_script()
    # Line hatches only, each of which the script draws (diagonal is its default); a dot hatch
    # would also cost the PDF a drawing per dot.
    hatches = {style["hatch"] for style in GROUP_STYLE.values()} | {OPEN_BAR_HATCH}
    assert hatches <= {"", "//", "--", "xx"}
    assert OPEN_BAR_HATCH
    assert 'hatch === "--"' in script and 'hatch === "xx"' in script
    for shape in {MARKER_SHAPES[style["marker"]] for style in GROUP_STYLE.values()} - {"circle"}:
        assert f'kind === "{shape}"' in script
