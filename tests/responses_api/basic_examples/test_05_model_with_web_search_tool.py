from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/05-model_with_web_search_tool.py"


def test_asks_with_the_web_search_tool_and_prints_searches_answer_and_sources(openai_api, run_script):
    answer = "Astronomers reported a new comet. It was found by a survey telescope. It is visible in binoculars."
    citations = [
        payloads.url_citation("Comet found", "https://news.example.org/comet", 0, 33),
        payloads.url_citation("Survey telescope", "https://science.example.com/survey", 34, 70),
        payloads.url_citation("Comet found", "https://news.example.org/comet", 71, 100),
    ]
    route = openai_api.post("/responses").respond(
        json=payloads.response(
            output=[
                payloads.web_search_call("science news this week", sources=["https://a.example", "https://b.example"]),
                payloads.web_page_visit("https://news.example.org/comet"),
                payloads.message(answer, annotations=citations),
            ]
        )
    )

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    body = sent_json(route)
    assert body["tools"] == [{"type": "web_search"}]
    assert body["include"] == ["web_search_call.action.sources"]
    assert body["input"].startswith("What is one notable science news story from this week?")
    assert result.stdout == (
        "searched: science news this week (2 pages consulted)\n\n"
        f"{answer}\n\n"
        "Sources:\n"
        "- Comet found: https://news.example.org/comet\n"
        "- Survey telescope: https://science.example.com/survey\n"
    )


def test_an_answer_without_citations_says_so(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("Two plus two is four."))

    result = run_script(SCRIPT, "What", "is", "2+2?")

    assert sent_json(route)["input"] == "What is 2+2?"
    assert result.stdout == "\nTwo plus two is four.\n\n(No sources were cited.)\n"


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(429))

    result = run_script(SCRIPT)

    assert (result.exit_code, result.stderr) == (1, api_failure_line(429))


def test_domain_filters_and_a_location_are_sent_when_given(openai_api, run_script):
    route = openai_api.post("/responses").respond(json=payloads.response("An answer."))

    result = run_script(SCRIPT, "Local news?", "--domain", "bbc.co.uk", "--domain", "nature.com", "--country", "GB")

    assert result.exit_code == 0
    assert sent_json(route)["tools"] == [
        {
            "type": "web_search",
            "filters": {"allowed_domains": ["bbc.co.uk", "nature.com"]},
            "user_location": {"type": "approximate", "country": "GB", "city": None},
        }
    ]
    assert sent_json(route)["input"] == "Local news?"


def test_a_search_with_several_queries_and_no_single_one_prints_them_all(openai_api, run_script):
    search = payloads.web_search_call("")
    search["action"] = {"type": "search", "query": None, "queries": ["comet news", "telescope survey"]}
    openai_api.post("/responses").respond(json=payloads.response(output=[search, payloads.message("An answer.")]))

    result = run_script(SCRIPT)

    assert result.stdout.startswith("searched: comet news; telescope survey (0 pages consulted)\n")
    assert "None" not in result.stdout
