"""Custom tools in the stand-in: input that fits the tool's format, outputs paired with calls, grammars it refuses."""

import openai
import pytest

from openai_tutorial.client import get_model
from tests.support.refusals import error_of, refusal

MODEL = get_model()
REGEX = {"type": "grammar", "syntax": "regex", "definition": r"\d+( [-+*/] \d+)*"}
LARK = {
    "type": "grammar",
    "syntax": "lark",
    "definition": 'start: sum\nsum: NUMBER ("+" NUMBER)*\nNUMBER: /[0-9]+/\n%ignore " "\n',
}


def calculator(text_format=None, name="calculator") -> dict:
    tool = {"type": "custom", "name": name, "description": "Evaluates arithmetic."}
    return tool if text_format is None else {**tool, "format": text_format}


def custom_call(response):
    (call,) = [item for item in response.output if item.type == "custom_tool_call"]
    return call


@pytest.mark.parametrize(
    ("text_format", "question", "written"),
    [
        (None, "What is 3*4 + 2?", "3*4 + 2"),
        ({"type": "text"}, "Say hello to the calculator", "Say hello to the calculator"),
        (REGEX, "What is 3*4+2?", "3 * 4 + 2"),
        (REGEX, "What is 30 / 5?", "30 / 5"),
        (LARK, "Add 1 + 2+3 please", "1 + 2+3"),
        (LARK, "What is 1+2?", "1+2"),
        ({"type": "grammar", "syntax": "regex", "definition": r"\d+([-+*/]\d+)*"}, "What is 3 * 4?", "3*4"),
        (None, "Is 9 - 1 more than 12 * 3?", "12 * 3"),  # the longest expression, not the first or the greatest
    ],
)
def test_the_input_is_the_question_s_expression_in_a_spelling_the_format_accepts(
    client, text_format, question, written
):
    response = client.responses.create(model=MODEL, input=question, tools=[calculator(text_format)])

    call = custom_call(response)

    assert (call.name, call.input, call.status) == ("calculator", written, "completed")
    assert call.call_id.startswith("call_")
    assert response.usage.output_tokens > 0


def test_a_question_nothing_of_which_fits_the_grammar_gets_no_call_and_says_why(client):
    response = client.responses.create(model=MODEL, input="What is (1 + 2) * 3?", tools=[calculator(LARK)])

    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output_text == (
        "This is the offline stand-in, not a model, so this reply is canned: nothing in the question fits the "
        "grammar of calculator, so it did not call it; a real model writes input the grammar accepts."
    )


def test_tool_choice_picks_the_named_custom_tool_and_its_output_is_answered(client):
    tools = [calculator(name="first"), calculator(REGEX, name="second")]
    forced = client.responses.create(
        model=MODEL, input="What is 3*4?", tools=tools, tool_choice={"type": "custom", "name": "second"}
    )
    call = custom_call(forced)

    answer = client.responses.create(
        model=MODEL,
        previous_response_id=forced.id,
        input=[{"type": "custom_tool_call_output", "call_id": call.call_id, "output": "12"}],
        tools=tools,
    )

    assert (call.name, call.input) == ("second", "3 * 4")
    assert answer.output_text == "Offline stand-in answer, built from the tool results: second says 12."


def test_a_choice_naming_no_listed_tool_falls_back_to_the_first(client):
    response = client.responses.create(
        model=MODEL, input="What is 1 + 1?", tools=[calculator()], tool_choice={"type": "custom", "name": "missing"}
    )

    assert custom_call(response).name == "calculator"


def test_a_custom_call_must_be_answered_and_an_output_must_name_a_custom_call(client):
    asked = client.responses.create(model=MODEL, input="What is 1 + 1?", tools=[calculator()])
    with pytest.raises(openai.BadRequestError) as unanswered:
        client.responses.create(model=MODEL, previous_response_id=asked.id, input="And 2 + 2?", tools=[calculator()])
    with pytest.raises(openai.BadRequestError) as stray:
        client.responses.create(
            model=MODEL,
            input=[{"type": "custom_tool_call_output", "call_id": "call_nowhere", "output": "2"}],
            tools=[calculator()],
        )
    function = client.responses.create(
        model=MODEL,
        input="What is the weather in Paris?",
        tools=[{"type": "function", "name": "weather", "strict": False, "parameters": {"type": "object"}}],
    )
    function_call_id = next(item.call_id for item in function.output if item.type == "function_call")
    with pytest.raises(openai.BadRequestError) as crossed:
        client.responses.create(
            model=MODEL,
            previous_response_id=function.id,
            input=[{"type": "custom_tool_call_output", "call_id": function_call_id, "output": "2"}],
        )

    assert error_of(unanswered) == refusal(
        f"No tool output found for custom tool call {custom_call(asked).call_id}.", param="input"
    )
    assert error_of(stray) == refusal(
        "No tool call found for custom tool call output with call_id call_nowhere.", param="input"
    )
    assert error_of(crossed) == refusal(
        f"No tool call found for custom tool call output with call_id {function_call_id}.", param="input"
    )


@pytest.mark.parametrize(
    ("text_format", "message"),
    [
        (
            {"type": "grammar", "syntax": "regex", "definition": "(unclosed"},
            "Invalid regex grammar for custom tool 'calculator': missing ), unterminated subpattern at position 0",
        ),
        (
            {"type": "grammar", "syntax": "lark", "definition": "start: missing_rule"},
            "Invalid lark grammar for custom tool 'calculator': "
            "Rule 'missing_rule' used but not defined (in rule start)",
        ),
        (
            {"type": "grammar", "syntax": "ebnf", "definition": "start: 'x'"},
            "Invalid grammar for custom tool 'calculator': it needs a syntax and a definition.",
        ),
        (
            {"type": "grammar", "syntax": "regex"},
            "Invalid grammar for custom tool 'calculator': it needs a syntax and a definition.",
        ),
    ],
)
def test_a_grammar_the_api_could_not_compile_is_refused_naming_the_tool(client, text_format, message):
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(
            model=MODEL, input="What is 1 + 1?", tools=[{"type": "function", "name": "f"}, calculator(text_format)]
        )

    assert error_of(refused) == refusal(message, param="tools[1].format")
