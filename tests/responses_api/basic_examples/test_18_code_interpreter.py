from tests.support import payloads
from tests.support.helpers import api_failure, api_failure_line, sent_json

SCRIPT = "Responses_API/Basic_examples/18-code_interpreter.py"


def test_asks_with_an_automatic_container_and_prints_code_output_and_answer(openai_api, run_script):
    call = payloads.code_interpreter_call(
        "primes = [2, 3, 5]\nprint(sum(p * p for p in primes))",
        [{"type": "logs", "logs": "38\n"}, {"type": "image", "url": "https://files.example/plot.png"}],
    )
    route = openai_api.post("/responses").respond(
        json=payloads.response(output=[call, payloads.message("The sum is 38.")])
    )

    result = run_script(SCRIPT, "Sum", "the", "squares.")

    assert result.exit_code == 0, result.stderr
    body = sent_json(route)
    assert body["tools"] == [{"type": "code_interpreter", "container": {"type": "auto"}}]
    assert body["include"] == ["code_interpreter_call.outputs"]
    assert body["input"] == "Sum the squares."
    assert result.stdout == (
        "Code run in container cntr_0001:\n"
        "  primes = [2, 3, 5]\n  print(sum(p * p for p in primes))\n"
        "It printed:\n  38\n"
        "It drew an image: https://files.example/plot.png\n"
        "\nThe sum is 38.\n"
    )


def test_an_answer_without_code_prints_just_the_answer(openai_api, run_script):
    openai_api.post("/responses").respond(json=payloads.response("I know this one: 2."))

    result = run_script(SCRIPT)

    assert result.stdout == "\nI know this one: 2.\n"


def test_api_error_prints_one_line_and_exits_1(openai_api, run_script):
    openai_api.post("/responses").mock(return_value=api_failure(500))

    assert run_script(SCRIPT).stderr == api_failure_line(500)


def test_a_file_the_answer_cites_is_downloaded_by_its_name_into_the_current_folder(
    openai_api, run_script, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    citation = {
        "type": "container_file_citation",
        "container_id": "cntr_0001",
        "file_id": "cfile_1",
        "filename": "../../squares.csv",  # a name the reply chose: only its last part is used
        "start_index": 10,
        "end_index": 27,
    }
    route = openai_api.post("/responses").respond(
        json=payloads.response(output=[payloads.message("Saved it: ../../squares.csv", annotations=[citation])])
    )
    content = openai_api.get("/containers/cntr_0001/files/cfile_1/content").respond(content=b"2,4\n3,9\n")

    result = run_script(SCRIPT)

    assert result.exit_code == 0, result.stderr
    assert sent_json(route)["input"] == (
        "What is the sum of the squares of the first 20 prime numbers? Use Python to compute it, "
        "and save each prime and its square in a CSV file."
    )
    assert content.call_count == 1
    assert (tmp_path / "squares.csv").read_bytes() == b"2,4\n3,9\n"
    assert not (tmp_path.parent.parent / "squares.csv").exists()  # where the name it was given points
    assert (
        result.stdout.splitlines()[-1] == f"Downloaded ../../squares.csv from cntr_0001 to {tmp_path / 'squares.csv'}"
    )
