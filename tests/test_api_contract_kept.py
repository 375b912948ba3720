"""The API keeps its published contract (docs/api.md, docs/api-changelog.md) where it did not: each test failed on
the code before its mend."""


from django.test import Client

from tests.test_api_protocol import Api


def test_a_replayed_create_gives_the_same_answer_with_its_location_and_etag(world):
    """docs/api.md, Retries: "a retry with the same key, address and body gets the same answer again (with
    `Idempotent-Replayed: true`) instead of a second proposal"; api-changelog 1.1: "`POST /proposals` ... answers the
    proposal ... with `Location` and `ETag`". The replay drops both headers, so a client whose first answer was
    lost (the very case the key is for) cannot learn where the proposal is nor the ETag to PATCH it with."""
    api = Api(world.member)
    first = api.post("/proposals", {"title": "关于测试的建议"}, **{"Idempotency-Key": "create-1"})
    again = api.post("/proposals", {"title": "关于测试的建议"}, **{"Idempotency-Key": "create-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert again.get("Location") == first["Location"]
    assert again.get("ETag") == first["ETag"]


def test_an_invalid_choice_is_refused_in_chinese_without_english_words(world):
    """docs/api.md, Errors: "`message` is for people, in the request's language (Chinese by default)" — the
    same holds for the messages under `fields`. An unknown enum value is answered
    "请从以下选项中选择：'member' or 'collective'。": pydantic's English "or" inside the Chinese sentence."""
    response = Client().get("/api/v1/public/proposals", {"kind": "xyz", "state": "abc"})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_input", body
    for field in ("kind", "state"):
        for message in body["fields"][field]:
            assert " or " not in message, message


def test_a_page_far_past_the_end_is_empty_not_refused(world):
    """docs/api.md, Lists: "`page` (from 1) ... A page past the end is empty (`next` null, `previous` the last
    page)". Only `page_size` is bounded (1–100); a page beyond 1 000 000 is refused with 422 instead."""
    for response in (Client().get("/api/v1/public/proposals", {"page": 1_000_001}),
                     Api(world.staff).get("/proposals", page=1_000_001)):
        body = response.json()
        assert response.status_code == 200, body
        assert body["items"] == [] and body["next"] is None and "page=1" in body["previous"]
