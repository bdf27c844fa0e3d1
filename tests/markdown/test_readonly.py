"""The read-only analysis of checklist commands: every simple command of a line, in every
shell form, must be on the allow-list; the first one that is not is named."""

from __future__ import annotations

import pytest

from gonogo.markdown.readonly import analyze

READ_ONLY = [
    "pnpm install",
    "pnpm install --frozen-lockfile",
    "npm ci",
    "pnpm --filter api build",
    "pnpm --filter web lint",
    "npm run build",
    "npm test",
    "yarn typecheck",
    "npx tsc --noEmit",
    "pnpm exec eslint .",
    "npx prisma migrate status",
    "npx prisma generate",
    "cargo build --release",
    "cargo clippy -- -D warnings",
    "cargo fmt --check",
    "go test ./... && go vet ./...",
    "pytest -q",
    "python -m pytest tests",
    "python manage.py check --deploy",
    "python manage.py makemigrations --check --dry-run",
    "make test lint",
    "make -n deploy",
    "docker build -t api:dev .",
    "docker compose -f prod.yml config",
    "docker-compose -f docker-compose.production.yml build",
    "docker ps && docker images",
    "terraform plan -out=tfplan",
    "terraform fmt -check",
    "kubectl diff -f k8s/",
    "kubectl get pods -n prod",
    "kubectl apply -f k8s/ --dry-run=server",
    "helm lint charts/app",
    "git status && git diff --stat",
    "git log --oneline -5 | head -3",
    "curl -s https://api.example.com/health | jq .status",
    "curl -fsS -o /dev/null -w '%{http_code}' https://example.com",
    "echo ok > /dev/null 2>&1",
    "grep -r TODO src || true",
    "(cd apps/api && npm test)",
    "{ npm test; npm run lint; }",
    "env CI=1 timeout 300 nice -n 10 npm test",
    "CI=true npm test",
    "sh -c 'npm test && npm run lint'",
    "bash -c \"go test ./...\"",
    "ls *.json | xargs grep version",
    "for f in *.log; do cat \"$f\"; done",
    "echo \"$(git rev-parse HEAD)\"",
    "cat <<EOF | grep ok\nok\nEOF",
    "alembic current",
    "node --version",
    "./gradlew build",
    "echo hi | tee /dev/null",
    "ruff check . && black --check .",
    "cat <<'EOF'\n$(rm -rf x)\nEOF",
    "[[ -f .env ]] && echo present",
    "nginx -t",
    "npm test 1>&2",
]


@pytest.mark.parametrize("command", READ_ONLY)
def test_read_only_commands(command: str) -> None:
    assert analyze(command).read_only, analyze(command)


NOT_READ_ONLY = [
    ("rm -r build && npm run build", "rm"),
    ("npm run build && rm -r build", "rm"),
    ("find . -name '*.tmp' -delete", "find -delete"),
    ("find . -exec rm {} +", "find -exec"),
    ("docker compose down -v", "docker compose down"),
    ("docker-compose -f prod.yml up -d", "docker-compose up"),
    ("git clean -fdx", "git clean"),
    ("git push origin main", "git push"),
    ("git branch -D old", "git branch"),
    ("sed -i 's/a/b/' config.yml", "sed -i"),
    ("sed 's/a/b/w out.txt' config.yml", "sed (a script that writes or runs)"),
    ("echo x > file.txt", "> file.txt"),
    ("echo x >> ~/.bashrc", ">> ~/.bashrc"),
    ("npm test 2> errors.log", "> errors.log"),
    ("npm test &> all.log", "&> all.log"),
    ("npm test | tee out.log", "tee out.log"),
    ("curl -X POST https://api.example.com/deploy", "curl -X POST"),
    ("curl --request=DELETE https://api.example.com/x", "curl --request DELETE"),
    ("curl -d '{}' https://api.example.com/x", "curl -d"),
    ("curl -fsSLo /usr/local/bin/tool https://x", "curl -o /usr/local/bin/tool"),
    ("curl -O https://example.com/x.tgz", "curl -O"),
    ("wget https://example.com/x.tgz", "wget"),
    ("sh -c 'rm -rf /tmp/x'", "rm"),
    ("bash -c \"npm test; npm publish\"", "npm publish"),
    ("sh -c \"$SCRIPT\"", "sh -c (a script that expands at run time)"),
    ("sh deploy.sh", "sh deploy.sh"),
    ("./deploy.sh", "./deploy.sh"),
    ("/bin/rm -rf x", "/bin/rm"),
    ("echo $(rm x)", "rm"),
    ("echo `rm x`", "rm"),
    ("diff <(rm x) y", "rm"),
    ("ls | xargs rm", "rm"),
    ("xargs -n1 kill < pids", "kill"),
    ("timeout 5 rm x", "rm"),
    ("env -i nice rm x", "rm"),
    ("FOO=1 rm x", "rm"),
    ("if true; then rm x; fi", "rm"),
    ("psql <<EOF\nDROP TABLE users;\nEOF", "psql"),
    ("cat <<EOF\n$(rm -rf x)\nEOF", "rm"),
    ("cat <<< \"$(rm x)\"", "rm"),
    ("export X=$(rm y)", "rm"),
    ("case $x in a) rm y;; esac", "rm"),
    ("nginx -s reload", "nginx"),
    ("ab -n 1000 -c 10 https://example.com/api/health", "ab"),
    ("wrk -t4 -c100 -d30s https://example.com/", "wrk"),
    ("hey -m POST https://example.com/api/orders", "hey"),
    ("k6 run load.js", "k6"),
    ("hurl --test api.hurl", "hurl"),
    ("cat <<EOF > /etc/app.conf\nx\nEOF", "> /etc/app.conf"),
    ("$TOOL --version", "a program name that expands at run time"),
    ("eval \"$CMD\"", "eval"),
    ("source .env", "source"),
    ("sudo systemctl restart nginx", "sudo"),
    ("systemctl restart nginx", "systemctl restart"),
    ("gcloud run deploy api --image gcr.io/p/api", "gcloud run deploy api"),
    ("vercel --prod", "vercel (deploys)"),
    ("alembic upgrade head", "alembic upgrade"),
    ("python manage.py migrate", "python manage.py migrate"),
    ("npx prisma migrate deploy", "prisma migrate deploy"),
    ("npm publish", "npm publish"),
    ("npm install left-pad", "npm install"),
    ("npm install -g pnpm", "npm install"),
    ("npm run lint:fix", "npm run lint:fix"),
    ("pnpm db:migrate", "pnpm db:migrate"),
    ("eslint --fix .", "eslint --fix"),
    ("prettier --write .", "prettier"),
    ("make deploy", "make deploy"),
    ("make", "make (its default target)"),
    ("terraform apply -auto-approve", "terraform apply"),
    ("kubectl apply -f k8s/", "kubectl apply"),
    ("kubectl rollout restart deploy/api", "kubectl rollout"),
    ("helm upgrade --install app charts/app", "helm upgrade"),
    ("docker push registry/app:1", "docker push"),
    ("docker buildx build --push -t x .", "docker buildx build --push"),
    ("docker system prune -af", "docker system prune"),
    ("cargo publish", "cargo publish"),
    ("go install ./...", "go install"),
    ("node scripts/deploy.js", "node"),
    ("tar -xzf backup.tgz", "tar"),
    ("sort -o sorted.txt in.txt", "sort -o"),
    ("awk '{print > \"out\"}' f", "awk (a script that writes or runs)"),
    ("f() { rm -rf x; }; f", "function definition"),
    ("echo 'unterminated", "echo (not parsed as shell)"),
]


@pytest.mark.parametrize(("command", "culprit"), NOT_READ_ONLY, ids=[c for c, _ in NOT_READ_ONLY])
def test_commands_that_may_change_something_name_the_first_verb(command: str, culprit: str) -> None:
    verdict = analyze(command)
    assert not verdict.read_only
    assert verdict.culprit == culprit


def test_deep_nesting_is_analysed_not_a_crash() -> None:
    assert analyze("( " * 3000 + "rm x" + " )" * 3000).culprit == "rm"
    assert not analyze("(" * 5000 + "rm x" + ")" * 5000).read_only
    assert analyze("echo " + "$(echo " * 3000 + "ls" + ")" * 3000).read_only
    # $($(ls)) runs what ls prints: not read-only
    assert analyze("echo $($(ls))").culprit == "a program name that expands at run time"
