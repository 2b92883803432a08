"""Custom tools: the model writes a tool's input as plain text, free, or held to a regex or Lark grammar.

A function tool's arguments are a JSON object; a ``custom`` tool's input is one string, which
suits what is text already (an expression, SQL, a shell command, code) because nothing has to
be escaped into JSON. Its ``format`` is free text (``{"type": "text"}``, the default) or a
grammar (``{"type": "grammar", "syntax": "regex" | "lark", "definition": ...}``) that the
model's output is held to while it is written, so the input always parses. A call is a
``custom_tool_call`` item with the text in ``input``; you answer it with a
``custom_tool_call_output`` that names its ``call_id``, as with a function. ``tool_choice=
{"type": "custom", "name": ...}`` forces the tool.

Here one calculator tool is offered three times, once in each format, with a question that
shows what the format is for; each call's input is evaluated locally (by a small evaluator of
+ - * / and parentheses, never ``eval``):
1. free text: the model writes the expression any way it likes;
2. a regex: numbers and operators only, one space around each operator (asked "12*12-4", the
   input is "12 * 12 - 4"; with parentheses in the question, the model must work them out);
3. a Lark grammar: the same tokens, with parentheses nested to any depth, which no regex can
   describe. Keep grammars small and unambiguous: regexes use Rust's syntax (no lookaround,
   no backreferences), and Lark grammars a subset of Lark (rules, terminals as strings or
   regexes, ``%ignore``; keep terminals simple and avoid rules that match the same text
   two ways).
What to look for in the output: the tool's input for each format, the value it gave, and the
answer the model built from it.

Run: uv run python Responses_API/Basic_examples/25-custom_tools_with_grammars.py ["question"]
API reference: https://developers.openai.com/api/docs/guides/function-calling#custom-tools
"""

import ast
import operator
import sys
from collections.abc import Callable

from openai.types.responses import CustomToolParam, ResponseInputItemParam
from openai.types.shared_params.custom_tool_input_format import CustomToolInputFormat

from openai_tutorial.client import get_client, get_model, run

FREE_TEXT: CustomToolInputFormat = {"type": "text"}
FLAT_EXPRESSION: CustomToolInputFormat = {  # 3, 3.5, 12 * 12 - 4: no parentheses, one space around each operator
    "type": "grammar",
    "syntax": "regex",
    "definition": r"\d+(\.\d+)?( [-+*/] \d+(\.\d+)?)*",
}
NESTED_EXPRESSION: CustomToolInputFormat = {
    "type": "grammar",
    "syntax": "lark",
    "definition": """
start: sum
sum: product (OPERATOR_LOW product)*
product: factor (OPERATOR_HIGH factor)*
factor: NUMBER | "(" sum ")"
OPERATOR_LOW: "+" | "-"
OPERATOR_HIGH: "*" | "/"
NUMBER: /\\d+(\\.\\d+)?/
%ignore " "
""",
}
OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def calculator(text_format: CustomToolInputFormat) -> CustomToolParam:
    return {
        "type": "custom",
        "name": "calculator",
        "description": "Evaluates one arithmetic expression written in plain text, such as 2 * (3 + 4).",
        "format": text_format,
    }


def evaluate(expression: str) -> str:
    """The expression's value, or what is wrong with it: only numbers, + - * / and parentheses are read."""

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](value(node.left), value(node.right))
        raise ValueError("only numbers, + - * / and parentheses are allowed")

    try:
        result = value(ast.parse(expression, mode="eval").body)
    except SyntaxError as error:
        return f"error: {error.msg}"
    except (ValueError, ZeroDivisionError) as error:
        return f"error: {error}"
    return f"{result:g}"


def main() -> None:
    client = get_client()
    asked = sys.argv[1] if len(sys.argv) > 1 else None  # one question of your own, for all three formats
    for label, text_format, question in [
        ("free text", FREE_TEXT, "What is 12 * (7 + 5) - 4?"),
        ("regex grammar", FLAT_EXPRESSION, "What is 12*12-4?"),
        ("Lark grammar", NESTED_EXPRESSION, "What is (12 - 4) * ((7 + 5) / 3)?"),
    ]:
        question = asked or question
        print(f"\n[{label}] question: {question}")
        tool = calculator(text_format)
        response = client.responses.create(
            model=get_model(),
            input=question,
            tools=[tool],
            tool_choice={"type": "custom", "name": "calculator"},  # this turn must call it
        )
        outputs: list[ResponseInputItemParam] = []
        for item in response.output:
            if item.type == "custom_tool_call":
                result = evaluate(item.input)
                print(f"[{label}] calculator input: {item.input!r} -> {result}")
                outputs.append({"type": "custom_tool_call_output", "call_id": item.call_id, "output": result})
        if not outputs:
            print(f"[{label}] no call: {response.output_text}")
            continue
        answer = client.responses.create(
            model=get_model(),
            previous_response_id=response.id,
            input=outputs,
            tools=[tool],  # tools are not carried over: sent again with the outputs
        )
        print(f"[{label}] answer: {answer.output_text}")


if __name__ == "__main__":
    run(main)
