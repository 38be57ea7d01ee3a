"""Checklist templates shipped with the application, as plain data (loaded by `services.template_load`).

WUJIN_2016 is seed 004's attachment 《武进区党支部规范化建设考核细则》 (武组发〔2016〕113号), item by item:
four sections 组织设置合理 10, 党员管理规范 30, 活动开展有序 30, 保障措施到位 30 (= 100), every 考核要求,
考核标准 and 分值 as printed, the veto cases of 备注3 and the pass mark of 备注2 ("评分在85分及以上,且无一票否决
情况"). The items of 活动开展有序 add up to 32 in the printed table (2 + 6 + 6 + 2 + 8 + 8) while the section
heading says 30分: the items are kept as printed and the section counts at most its heading's 30 points
(`rules.section_score`), so the table still totals 100.

Shape (also the JSON a county uploads to load its own template):
    {"code", "version", "name", "issuer", "pass_mark", "notes",
     "sections": [{"key", "title", "max_points",
                   "items": [{"key", "requirement", "standard", "points", "prefill"?}]}],
     "vetoes": [{"key", "text", "check"?}]}
`prefill` names what the records can answer (`prefill.BUILTIN` or a provider registered through
`registry.register_prefill`); `check` names a veto the records can decide (`rules.VETO_CHECKS`), else
the branch declares it.
"""

from typing import Any

WUJIN_2016: dict[str, Any] = {
    "code": "wujin-2016",
    "version": 1,
    "name": "武进区党支部规范化建设考核细则",
    "issuer": "中共常州市武进区委组织部",
    "pass_mark": "85",
    "notes": (
        "评分在85分及以上，且无一票否决情况，经公示无异议的，确认为党支部规范化建设合格支部。"
        "建成规范化建设合格支部将成为党支部、党支部书记参加区级以上评先评优的必要条件。"
    ),
    "sections": [
        {
            "key": "organization", "title": "组织设置合理", "max_points": "10",
            "items": [
                {"key": "organization.posts", "requirement": "组织健全", "standard": "党支部职数设置合理。",
                 "points": "2", "prefill": "committee_size"},
                {"key": "organization.groups", "requirement": "组织健全", "standard": "党小组划分合理。",
                 "points": "2"},
                {"key": "organization.team", "requirement": "班子过硬", "standard": "党支部班子搭配科学，分工明确。",
                 "points": "3", "prefill": "committee_roles"},
                {"key": "organization.term", "requirement": "按期换届", "standard": "党支部按期换届，委员出缺及时补选。",
                 "points": "3", "prefill": "term"},
            ],
        },
        {
            "key": "members", "title": "党员管理规范", "max_points": "30",
            "items": [
                {"key": "members.recruit_structure", "requirement": "发展党员规范",
                 "standard": "发展党员符合优化党员队伍年龄、知识、职业结构的要求。", "points": "3"},
                {"key": "members.activist_training", "requirement": "发展党员规范",
                 "standard": "每年制定工作计划，对入党积极分子开展教育培训、谈心谈话等形式的培养考察。", "points": "3",
                 "prefill": "activist_training"},
                {"key": "members.recruit_procedure", "requirement": "发展党员规范",
                 "standard": "发展党员工作程序规范、材料齐全。", "points": "3"},
                {"key": "members.study_plan", "requirement": "党员教育规范",
                 "standard": "每年制定支部学习计划、党员个人学习计划，督促党员记好学习笔记。", "points": "3"},
                {"key": "members.education_content", "requirement": "党员教育规范",
                 "standard": "教育内容坚持以理想信念教育为主，并结合实际提升党员业务、文化等综合素质。", "points": "3"},
                {"key": "members.education_forms", "requirement": "党员教育规范",
                 "standard": "注重运用互联网信息技术等手段探索更加多样化的教育形式，提升吸引力和感染力。", "points": "3"},
                {"key": "members.register", "requirement": "党员管理规范",
                 "standard": "规范党员组织关系管理，做好党组织关系网上接转工作，定期对党员基本情况进行维护更新，做好年度党内"
                             "统计工作，摸清流动党员底数，理顺“空挂党员”隶属关系，稳妥处理“失联”党员。",
                 "points": "3", "prefill": "member_register"},
                {"key": "members.violations", "requirement": "党员管理规范",
                 "standard": "落实对违法违纪党代表和党员的排查清理。", "points": "3"},
                {"key": "members.dues", "requirement": "党员管理规范",
                 "standard": "规范党费收缴工作，党费基数一年一核定，提醒党员主动、按时、足额交纳党费。", "points": "3",
                 "prefill": "dues"},
                {"key": "members.evaluation", "requirement": "党员评议规范",
                 "standard": "每年以党支部为单位开展一次民主评议党员工作，为党员评定等次。", "points": "3",
                 "prefill": "democratic_evaluation"},
            ],
        },
        {
            "key": "activities", "title": "活动开展有序", "max_points": "30",
            "items": [
                {"key": "activities.general_meeting", "requirement": "落实“三会一课”制度",
                 "standard": "每三个月召开一次支部党员大会，内容形式、到会人数符合要求。", "points": "2",
                 "prefill": "general_meeting"},
                {"key": "activities.committee_meeting", "requirement": "落实“三会一课”制度",
                 "standard": "每月召开一次支委会，内容形式、到会人数符合要求。", "points": "6",
                 "prefill": "committee_meeting"},
                {"key": "activities.group_meeting", "requirement": "落实“三会一课”制度",
                 "standard": "每月召开一次党小组会，内容形式、到会人数符合要求。", "points": "6",
                 "prefill": "group_meeting"},
                {"key": "activities.party_lecture", "requirement": "落实“三会一课”制度",
                 "standard": "每三个月上一次党课，内容形式、到会人数符合要求。", "points": "2",
                 "prefill": "party_lecture"},
                {"key": "activities.org_life", "requirement": "落实组织生活会制度",
                 "standard": "每半年召开一次党支部或党小组组织生活会，会议内容、流程符合要求。", "points": "8",
                 "prefill": "org_life_meeting"},
                {"key": "activities.service", "requirement": "落实联系服务群众制度",
                 "standard": "党支部要根据自身实际确定一项联系服务群众制度，结合群众需求、创新服务载体、整合各方资源、"
                             "切实发挥作用。", "points": "8"},
            ],
        },
        {
            "key": "support", "title": "保障措施到位", "max_points": "30",
            "items": [
                {"key": "support.venue", "requirement": "强化阵地建设", "standard": "每个党支部确保有固定的活动阵地。",
                 "points": "3"},
                {"key": "support.venue_facilities", "requirement": "强化阵地建设",
                 "standard": "阵地设施完善，未有党支部标识，阵地布置、设施不完善的酌情扣分。", "points": "3"},
                {"key": "support.funds", "requirement": "落实经费保障", "standard": "按照要求落实党建工作专项经费。",
                 "points": "3"},
                {"key": "support.funds_use", "requirement": "落实经费保障",
                 "standard": "党建工作经费用于党支部建设的各项工作，未被挪用占用。", "points": "3"},
                {"key": "support.funds_account", "requirement": "落实经费保障",
                 "standard": "党建工作经费设专户管理，合理规划、收支平衡、账目明晰。", "points": "3"},
                {"key": "support.member_ledger", "requirement": "规范台账管理",
                 "standard": "做好党员信息台帐。维护更新《党员基本情况登记表》；记录党员参加教育培训、奖惩等情况；记录党员"
                             "党费缴纳情况；记录党员发展情况；记录建国前老党员和困难党员情况。", "points": "5",
                 "prefill": "member_ledger"},
                {"key": "support.life_ledger", "requirement": "规范台账管理",
                 "standard": "做好党组织生活台帐。图文结合记录“三会一课”等党组织生活开展情况，反映党员活动的时间、地点、"
                             "活动方式、参加人员和活动内容。", "points": "5", "prefill": "life_ledger"},
                {"key": "support.service_ledger", "requirement": "规范台账管理",
                 "standard": "做好党员联系服务群众台帐。图文结合记录开展党员联系和服务群众工作历次的实施计划、方案和成效。",
                 "points": "5"},
            ],
        },
    ],
    "vetoes": [
        {"key": "secretary_vacant", "text": "党支部书记缺职", "check": "secretary_vacant"},
        {"key": "discipline", "text": "党支部书记受党内警告以上处分的，或支委班子成员受党内严重警告以上处分的",
         "check": "committee_discipline"},
        {"key": "no_funds", "text": "未落实党建工作专项经费的"},
    ],
}

BUILTIN_TEMPLATES: list[dict[str, Any]] = [WUJIN_2016]
