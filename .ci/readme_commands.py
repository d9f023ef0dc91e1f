"""Print the bash commands of README.md's "## Two commands" section, one a line (each
must be a single line: that is what a user pastes)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
section = re.search(r"^## Two commands\n(.*?)(?=^## )", text, re.S | re.M)
if section is None:
    sys.exit("README.md has no '## Two commands' section")
for block in re.findall(r"```bash\n(.*?)```", section.group(1), re.S):
    command = block.strip()
    if "\n" in command:
        sys.exit(f"a README command must be one line, got:\n{command}")
    print(command)
