"""render.resolve_content_blocks: includes, nesting, and the guards that keep a hostile block tree finite."""

from __future__ import annotations

from emulator.domain.render import MAX_BLOCK_DEPTH, MAX_BLOCK_INCLUDES, resolve_content_blocks


def fetcher(blocks: dict[tuple[str, str], str], calls: list | None = None):
    def fetch(by: str, ref: str) -> str | None:
        if calls is not None:
            calls.append((by, ref))
        return blocks.get((by, ref))
    return fetch


def test_the_three_forms_nesting_and_quotes():
    blocks = {("key", "a"): "A[%%=ContentBlockById(7)=%%]", ("id", "7"): "seven",
              ("name", "Content Builder\\F\\n"): "named"}
    text = ('%%=ContentBlockByKey("a")=%% %%= contentblockbyname(\'Content Builder\\F\\n\') =%% '
            '%%=ContentBlockByKey("none")=%% %%FirstName%%')
    assert resolve_content_blocks(text, fetcher(blocks)) == "A[seven] named  %%FirstName%%"


def test_self_and_mutual_inclusion_stop():
    blocks = {("key", "a"): 'a(%%=ContentBlockByKey("b")=%%)', ("key", "b"): 'b(%%=ContentBlockByKey("a")=%%)'}
    assert resolve_content_blocks('%%=ContentBlockByKey("a")=%%', fetcher(blocks)) == "a(b())"


def test_depth_and_fan_out_are_bounded():
    chain = {("key", str(i)): f'{i}%%=ContentBlockByKey("{i + 1}")=%%' for i in range(50)}
    out = resolve_content_blocks('%%=ContentBlockByKey("0")=%%', fetcher(chain))
    assert out == "".join(str(i) for i in range(MAX_BLOCK_DEPTH))
    wide = '%%=ContentBlockByKey("w")=%%' * 10
    calls: list = []
    # every block includes ten copies of another distinct block: 10**depth includes without the budget
    tree = {("key", "w" * d): ('%%=ContentBlockByKey("' + "w" * (d + 1) + '")=%%') * 10 for d in range(1, 12)}
    resolve_content_blocks(wide, fetcher(tree, calls))
    assert len(calls) == MAX_BLOCK_INCLUDES
