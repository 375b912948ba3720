"""The legacy page parser: the seed page field by field, real-world variants, and clear errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tian.importers.legacy import LegacyParseError, parse

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds" / "000_e27d693f035c4dc2.txt"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_text():
    if not SEED.exists():
        pytest.skip("the seed page is not beside the repository")
    return SEED.read_text(encoding="utf-8")


def seed_lines(text):
    return text.split("\n")


def test_the_seed_page_field_by_field(seed_text):
    record = parse(seed_text).as_json()
    body_lines = [line.strip() for line in seed_lines(seed_text)[4:9]]
    assert record["number"] == 15
    assert record["year"] == 2023
    assert record["session"] == "七届三次全会"
    assert record["kind"] == "委员提案"
    assert record["title"] == "关于加强全区未成年人关爱保护工作的建议"
    assert record["proposer"] == "刘安泽"
    assert record["cosigners"] == ["徐丽娟"]
    assert record["body"] == "\n".join(body_lines)
    assert record["body"].startswith("未成年人是祖国的未来、民族的希望,做好")
    assert record["body"].endswith("投身到未保工作中来。")
    assert record["review_result"] == "已立案"
    assert record["public"] is True
    assert record["assigned_on"] == "2023-03-16"
    assert record["key"] is False
    assert record["supervising_offices"] == ["区政府办公室", "区委目标绩效办"]
    assert record["lead_officials"] == ["杨金军"]
    assert record["lead_units"] == ["区民政局"]
    assert record["assisting_units"] == ["区教科局", "区司法局", "区公安分局", "区妇联"]
    assert len(record["replies"]) == 1
    reply = record["replies"][0]
    assert reply["unit"] == "广元市朝天区民政局"
    assert reply["date"] == "2023-10-11"
    assert reply["contact_name"] == "贺威"
    assert reply["contact_phone"] == "13795952836"
    assert reply["salutation"] == "尊敬的刘安泽、徐丽娟委员:"
    reply_lines = [line.strip() for line in seed_lines(seed_text)[16:19]]
    assert reply["body"] == "\n".join(reply_lines)
    assert reply["body"].startswith("首先感谢您对我区未成年人关爱保护工作的关注和支持")
    assert reply["body"].endswith("予以关注关心。")
    assert reply["cosign_date"] == "2023-10-20"
    assert record["outcome"] == "A"
    assert record["supervision_review"] == "已通过"
    assert record["satisfaction"] == "满意"
    assert record["feedback"] == "非常满意"


def variant(text: str) -> str:
    text = text.replace("编 号:", "编  号：").replace("第〔15〕号", "第[15]号").replace("提案人:", "提案人：")
    text = text.replace("审查结果:", "审查结果：").replace("督办单位:", "督办单位：")
    return text.replace("\n", "\r\n")


def test_full_width_punctuation_square_brackets_stray_spaces_and_crlf(seed_text):
    assert parse(variant(seed_text)).as_json() == parse(seed_text).as_json()


def test_several_cosigners_separated_by_enumeration_comma(seed_text):
    text = seed_text.replace("联名人:徐丽娟", "联名人:徐丽娟、王强 李梅")
    assert parse(text).cosigners == ["徐丽娟", "王强", "李梅"]


def test_a_page_not_yet_replied_has_empty_reply_fields(seed_text):
    lines = seed_lines(seed_text)
    head = "\n".join(lines[:13])  # up to and including the units line
    record = parse(head + "\n当前用户「」您好!欢迎登录政协提案管理系统。").as_json()
    assert record["replies"] == []
    assert record["outcome"] is None and record["satisfaction"] is None and record["supervision_review"] is None
    assert record["number"] == 15 and record["assigned_on"] == "2023-03-16"


def test_missing_optional_lines(seed_text):
    text = seed_text.replace("交办时间:2023年3月16日 是否重点:否\n", "")
    record = parse(text)
    assert record.assigned_on is None and record.key is False and record.year == 2023


def test_a_broken_page_names_its_line_and_what_was_expected(seed_text):
    with pytest.raises(LegacyParseError) as e:
        parse(seed_text.replace("编 号:第〔15〕号 所属类别:委员提案", "这里不是编号"))
    assert e.value.line == 3 and "编号" in e.value.expected
    with pytest.raises(LegacyParseError) as e:
        parse("随便一段文字\n没有标题")
    assert e.value.line == 1


def test_command_prints_json_and_reports_broken_files(seed_text, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(variant(seed_text), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("随便一段文字\n", encoding="utf-8")
    env_python = sys.executable
    result = subprocess.run([env_python, "manage.py", "import_legacy", "--dry-run", "--json", str(good)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"DJANGO_SETTINGS_MODULE": "tian.settings_test", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["number"] == 15 and data["replies"][0]["contact_phone"] == "13795952836"
    result = subprocess.run([env_python, "manage.py", "import_legacy", "--dry-run", str(bad)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={"DJANGO_SETTINGS_MODULE": "tian.settings_test", "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "bad.txt:1: expected" in result.stderr
