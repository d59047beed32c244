"""The data model: value parsing, levels, money and immutability (generator/model.py)."""

from decimal import Decimal

import pytest
from pydantic import ValidationError

from generator.model import Indicator, Level1, Project
from generator.money import Money, display, format_amount, format_number, html, total
from generator.values import parse_value, split_level


@pytest.mark.parametrize(
    ("text", "operator", "number", "unit"),
    [
        ("≥90%", "≥", Decimal("90"), "%"),
        ("≧90%", "≥", Decimal("90"), "%"),
        ("＞90%", ">", Decimal("90"), "%"),
        (">90%", ">", Decimal("90"), "%"),
        ("≤31.9 万元", "≤", Decimal("31.9"), "万元"),
        ("≦5天", "≤", Decimal("5"), "天"),
        ("＜1%", "<", Decimal("1"), "%"),
        ("<1%", "<", Decimal("1"), "%"),
        ("=100%", "=", Decimal("100"), "%"),
        ("＝100%", "=", Decimal("100"), "%"),
        ("═100%", "=", Decimal("100"), "%"),
        ("不低于95%", "≥", Decimal("95"), "%"),
        ("不高于5%", "≤", Decimal("5"), "%"),
        ("不超过10万元", "≤", Decimal("10"), "万元"),
        ("达到100%", "≥", Decimal("100"), "%"),
        ("24 人", None, Decimal("24"), "人"),
        ("100000元", None, Decimal("100000"), "元"),
        ("550,000.00", None, Decimal("550000.00"), None),
        ("0.15%", None, Decimal("0.15"), "%"),
    ],
)
def test_quantitative_values_are_parsed(text, operator, number, unit):
    parsed = parse_value(text)
    assert (parsed.operator, parsed.number, parsed.unit) == (operator, number, unit)


@pytest.mark.parametrize("text", ["进一步提升", "每年2次以上", "年人均1500元；", "1: 15", "按季度发放", ""])
def test_qualitative_values_have_no_number(text):
    assert parse_value(text).number is None


def test_indicator_keeps_raw_text_and_separate_columns():
    ind = Indicator(name="设备配备", value="100%", operator="=", unit="%", kind="定量指标")
    assert (ind.value, ind.comparison, ind.number, ind.measure, ind.quantitative) == ("100%", "=", Decimal(100), "%", True)
    text = Indicator(name="稳定", value="进一步提升")
    assert text.comparison is None and not text.quantitative


def test_level_codes_are_split():
    assert split_level("11-数量指标") == ("11", "数量指标")
    assert split_level("产出指标") == (None, "产出指标")
    level = Level1(level1="2-效益指标", groups=[{"level2": "21-经济效益", "indicators": []}])
    assert (level.code, level.title, level.groups[0].code, level.groups[0].indicators) == ("2", "效益指标", "21", ())


def test_money_converts_exactly():
    assert Money(Decimal("31.9"), "万元").to("元") == Money(Decimal("319000"), "元")
    assert Money(Decimal("12300.00"), "元").to("万元") == Money(Decimal("1.23"), "万元")
    # A total of mixed units is in 万元 (the unit budgets are approved in), exactly.
    assert total([Money(Decimal("1.5"), "万元"), Money(Decimal("100"), "元")]) == Money(Decimal("1.51"), "万元")
    assert total([Money(Decimal("0.1"), "万元")] * 3).amount == Decimal("0.3")
    assert Money(Decimal("0.01"), "元").to("万元").amount == Decimal("0.000001")


@pytest.mark.parametrize(("printed", "shown"), [
    ("31.900000", "31.90"), ("2279.048", "2,279.048"), ("550000.00", "550,000.00"), ("150000", "150,000.00"),
    ("0", "0.00"), ("-0.00", "0.00"), ("0.000001", "0.000001"), ("1E+3", "1,000.00"), ("-1234.5", "-1,234.50"),
    ("123456789012345678.123456789", "123,456,789,012,345,678.123456789"),
])
def test_every_figure_is_written_one_way(printed: str, shown: str) -> None:
    """Thousands separators, at least two decimals, more only when a non-zero digit needs them."""
    assert format_amount(Decimal(printed)) == shown
    assert Decimal(shown.replace(",", "")) == Decimal(printed)  # never a digit lost


def test_a_figure_on_a_page_keeps_its_printed_digits_and_unit() -> None:
    # The exact printed text stays in value, and on hover when it reads differently (BOARD.md, money display).
    assert str(html(Money(Decimal("31.900000"), "万元"))) == '<data value="31.900000" title="原文：31.900000">31.90</data> 万元'
    assert str(html(Decimal("104.54"), with_unit=False)) == '<data value="104.54">104.54</data>'
    assert str(html(Decimal("387664.62"))) == '<data value="387664.62" title="原文：387664.62">387,664.62</data>'
    assert str(html(Money(Decimal("12300.00"), "元"), "万元")) == '<data value="1.23" title="原文：12300.00 元">1.23</data> 万元'
    assert display(Money(Decimal("31.900000"), "万元")) == "31.90 万元"
    # Not given is not zero: a blank stays blank, a printed "—" stays "—", and neither reads 0.00.
    assert html(None) == "" and display(None) == "" and html(Decimal(0)) != html(None)
    assert str(html("—")) == '<span class="not-given" title="未填写">—</span>'
    assert format_number(Decimal("48")) == "48" and format_number(Decimal("1200.50")) == "1,200.50"


def test_records_are_immutable():
    project = Project(name="甲", unit="元", amount=Decimal(1), info={"项目属性": "单位专项"})
    with pytest.raises(ValidationError):
        project.name = "乙"  # type: ignore[misc]
    with pytest.raises(TypeError):
        project.info["项目属性"] = "乙"  # type: ignore[index]


def test_unknown_fields_and_wrong_types_are_rejected():
    with pytest.raises(ValidationError):
        Project(name="甲", unit="元", amount=Decimal(1), nmae="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Project(name="甲", unit="美元", amount=Decimal(1))  # type: ignore[arg-type]
