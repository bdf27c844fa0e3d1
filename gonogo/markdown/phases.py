"""Which phase a heading names, in English and in the languages checklists are written in
(Japanese, Chinese, Spanish, Portuguese, French, German, Russian, Korean).

A heading without a phase word inherits its parent's kind (the document's H1 is its title,
not a phase, though a preflight title — "Pre-release checklist" — counts). A section no
heading names is not recognised: its items are manual and its commands never run (it is
never preflight by default), unless annotated."""

from __future__ import annotations

import re

from gonogo.config.model import PHASE_KINDS, READ_ONLY_KINDS
from gonogo.core.errors import ConfigError
from gonogo.markdown.parse import Section

#: Heading words → phase kind, most specific first ("before"/"after" before the bare verb).
KIND_WORDS: tuple[tuple[str, str], ...] = (
    (r"roll ?back|revert|recovery|disaster"
     r"|ロールバック|切り戻し|切り戻|回滚|回退|reversi[óo]n|revertir|revers[ãa]o|reverter|retour arri[èe]re"
     r"|annulation|rückg[äa]ngig|zurückrollen|zurücksetzen|wiederherstell|откат|롤백|복구", "rollback"),
    (r"pre-?deploy|pre-?release|pre-?flight|before (the )?(deploy|release|launch|go-?live)|pre-?launch"
     r"|pre-?production|\d+ (days?|weeks?|hours?) (before|prior)"
     r"|prerequisite|quality|verification|readiness|preparation"
     r"|デプロイ前|リリース前|本番前|事前|準備|前提|部署前|上线前|发布前|预发布|准备|前置|上線前"
     r"|antes del? (despliegue|lanzamiento|deploy|la implementaci[óo]n)|pre-?despliegue|preparaci[óo]n"
     r"|requisitos previos|antes do (deploy|lançamento|lancamento)|antes da implanta[çc][ãa]o"
     r"|pr[ée]-?(deploy|implanta[çc][ãa]o)|prepara[çc][ãa]o|pr[ée]-?requisitos"
     r"|avant (le |la )?(d[ée]ploiement|mise en production|livraison)|pr[ée]-?d[ée]ploiement|pr[ée]paration"
     r"|pr[ée]requis|vor (dem|der) (deployment|bereitstellung|auslieferung|release|veröffentlichung)"
     r"|vorbereitung|voraussetzung|перед (деплоем|развертыванием|развёртыванием|релизом|выпуском)"
     r"|подготовк|предварительн|배포 ?전|릴리스 ?전|출시 ?전|사전|준비", "preflight"),
    (r"post-?deploy|post-?release|after (the )?deploy|post-?launch|document|follow-?up|clean ?up"
     r"|wrap-?up|retro"
     r"|デプロイ後|リリース後|事後|部署后|上线后|发布后|上線後|despu[ée]s del? (despliegue|lanzamiento|deploy)"
     r"|post-?despliegue|ap[óo]s o (deploy|lançamento|lancamento)|depois do deploy|p[óo]s-?(deploy|implanta)"
     r"|apr[èe]s (le |la )?(d[ée]ploiement|mise en production)|post-?d[ée]ploiement"
     r"|nach (dem|der) (deployment|bereitstellung|auslieferung|release)"
     r"|после (деплоя|развертывания|развёртывания|релиза|выпуска)|배포 ?후|릴리스 ?후|출시 ?후", "post"),
    (r"monitor|observ|watch|監視|モニタリング|监控|監控|monitoreo|monitorizaci[óo]n|monitoramento|surveillance"
     r"|supervision|überwachung|мониторинг|наблюдени|모니터링|감시", "watch"),
    (r"back ?up|バックアップ|备份|備份|respaldo|copia de seguridad|c[óo]pia de seguran[çc]a|sauvegarde"
     r"|sicherung|резервн|бэкап|백업", "backup"),
    (r"verify|smoke|validat|sanity|検証|動作確認|確認|验证|驗證|校验|检查|verificaci[óo]n|verificar"
     r"|validaci[óo]n|verifica[çc][ãa]o|valida[çc][ãa]o|v[ée]rification|v[ée]rifier|validation"
     r"|überprüfung|prüfung|verifizierung|validierung|проверк|верификац|валидац|검증|확인|점검", "verify"),
    (r"deploy|release|roll ?out|launch|go-?live|ship|cut ?over|migrat"
     r"|デプロイ|リリース|本番反映|部署|上线|发布|上線|發布|despliegue|desplegar|lanzamiento|implementaci[óo]n"
     r"|implanta[çc][ãa]o|publica[çc][ãa]o|lan[çc]amento|d[ée]ploiement|d[ée]ployer|mise en production"
     r"|livraison|bereitstellung|auslieferung|veröffentlichung|деплой|развертывани|развёртывани|релиз"
     r"|выпуск|배포|릴리스|출시", "deploy"),
)
_COMPILED = tuple((re.compile(pattern, re.I), kind) for pattern, kind in KIND_WORDS)
#: Kinds whose commands `gonogo check` runs: only read-only ones, unless explicitly allowed.
GUARDED_KINDS = READ_ONLY_KINDS
#: The kind a section no heading names gets; all of its items are manual.
UNRECOGNISED_KIND = "preflight"


def unrecognised_reason(title: str) -> str:
    """Why nothing runs in a section whose heading names no phase."""
    return (f"the heading {title!r} names no phase gonogo knows, so nothing in it runs; sign it off, "
            "or annotate the section (<!-- gonogo-phase: {kind: preflight} -->) or the item")


def heading_kind(title: str) -> str | None:
    """The phase kind a heading's words name, or None."""
    return next((kind for pattern, kind in _COMPILED if pattern.search(title)), None)


def phase_kind(section: Section, title: Section | None = None) -> str | None:
    """The kind of a section: its annotation, its heading's words, its parent's — or None
    when nothing names it (then its items are manual, never preflight by default).

    ``title`` is the heading that names the whole document (its only H1): its words
    ("Production Deployment Checklist") say nothing about a phase, unless they say
    preflight ("Pre-release checklist")."""
    node: Section | None = section
    while node is not None:
        if node.phase_annotation is not None:
            kind = node.phase_annotation.data.get("kind")
            if kind not in PHASE_KINDS:
                raise ConfigError(
                    f"gonogo-phase: expected kind to be one of {', '.join(PHASE_KINDS)}, got {kind!r}",
                    file=None,
                    line=node.phase_annotation.line,
                )
            return str(kind)
        if node is title:  # a title names a phase only when it says preflight
            if any(kind == "preflight" and pattern.search(node.title) for pattern, kind in _COMPILED):
                return "preflight"
        else:
            found = heading_kind(node.title)
            if found is not None:
                return found
        node = node.parent
    return None
