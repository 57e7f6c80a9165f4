# Second-coder records for src-000, written as Python data and dumped to YAML.
# Run: python3 build.py  (writes the *.yaml files next to this script and checks the quotes)
import json
import os
import re

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = open('/work/main/seeds/000_7210e56ee1d0009a.txt', encoding='utf-8').read()
REF = '2023-09-29'
FRI = '2023-09-29'
SUN = '2023-09-24'

# ---------------------------------------------------------------- places
places = [
    dict(place_id='pl-kosovo', name='Kosovo', place_type='country', parent_place_id='', country_code='XK',
         evidence=['the Kosovo village of Banjska']),
    dict(place_id='pl-kosovo-border', name='Kosovo border', place_type='border', parent_place_id='pl-kosovo',
         country_code='XK',
         evidence=['a Serbian military buildup along the Kosovo border'],
         notes='The article never says which of Kosovo\'s borders; the Serbian buildup implies the Kosovo-Serbia '
               'boundary, but the text only says "the Kosovo border" / "the border of Kosovo". Parent set to Kosovo.'),
    dict(place_id='pl-northern-kosovo', name='northern Kosovo', place_type='region', parent_place_id='pl-kosovo',
         country_code='XK', evidence=['increasing the presence of NATO forces in northern Kosovo']),
    dict(place_id='pl-zvecan', name='Zvecan', place_type='municipality', parent_place_id='pl-kosovo',
         country_code='XK', evidence=['in the northern municipality of Zvecan'],
         notes='Described as "the northern municipality"; that it is in Kosovo follows from "a Kosovo police officer '
               'was killed, in the northern municipality of Zvecan". Parent kept at Kosovo, not northern Kosovo, '
               'because the text does not link the two names.'),
    dict(place_id='pl-banjska', name='Banjska', place_type='village', parent_place_id='pl-zvecan', country_code='XK',
         evidence=['the Kosovo village of Banjska', 'near the village of Banjska and then moved'],
         notes='Parent Zvecan is inferred: the same incident is placed "in the northern municipality of Zvecan" '
               'and "near the village of Banjska" (L14).'),
    dict(place_id='pl-monastery', name='Serbian Orthodox monastery', place_type='religious_site',
         parent_place_id='pl-banjska', country_code='XK',
         evidence=['They barricaded themselves in a Serbian Orthodox monastery',
                   'a siege situation in a nearby monastery'],
         notes='Unnamed in the text. L14 calls it "a nearby monastery" (near Banjska), so the parent is Banjska.'),
]

# ---------------------------------------------------------------- actors
def A(actor_id, name, named, actor_type, cc='', aff='', title='', evidence=(), notes=''):
    r = dict(actor_id=actor_id, name=name, named=named, actor_type=actor_type, country_code=cc,
             affiliation_actor_id=aff, title=title, evidence=list(evidence))
    if notes: r['notes'] = notes
    return r

actors = [
    A('act-us', 'US', True, 'state', 'US', evidence=['US monitors large Serbian force', 'to convey US concerns']),
    A('act-white-house', 'White House', True, 'government', 'US', 'act-us',
      evidence=['The White House stated that there is']),
    A('act-kirby', 'John Kirby', True, 'person', 'US', 'act-white-house',
      'the White House national security spokesperson',
      evidence=['John Kirby, the White House national security spokesperson']),
    A('act-blinken', 'Antony Blinken', True, 'person', 'US', 'act-us', 'US Secretary of State',
      evidence=['US Secretary of State Antony Blinken']),
    A('act-sullivan', 'Jake Sullivan', True, 'person', 'US', 'act-white-house',
      'White House national security adviser',
      evidence=['White House national security adviser Jake Sullivan']),
    A('act-reporters', 'reporters', False, 'group', evidence=['informed reporters']),
    A('act-serbia', 'Serbia', True, 'state', 'RS', evidence=['Kirby urged Serbia to withdraw these forces']),
    A('act-serbian-troops', 'Serbian troops', False, 'state_force', 'RS', 'act-serbia',
      evidence=['accumulation of Serbian troops and military equipment'],
      notes='Also referred to as "large Serbian force" (L1), "a Serbian military buildup" (L3), "these forces" '
            '(L3, L9) and "the significant Serbian military presence" (L9); one actor.'),
    A('act-serbian-authorities', 'Serbian authorities', False, 'government', 'RS', 'act-serbia',
      evidence=['urged Serbian authorities to cooperate in the inquiry']),
    A('act-serbian-president', "Serbia's president", False, 'person', 'RS', 'act-serbia', 'president',
      evidence=["a phone conversation with Serbia's president"],
      notes='Left unnamed by the article; not named here (no facts from outside the text).'),
    A('act-kosovo', 'Kosovo', True, 'state', 'XK',
      evidence=['is for Kosovo and Serbia to "engage in the EU-facilitated dialogue.'],
      notes='Kosovo as a party to the dialogue; "Kosovo personnel" (L8) is a separate group actor.'),
    A('act-kosovo-authorities', 'Kosovo authorities', False, 'government', 'XK', 'act-kosovo',
      evidence=['Kosovo authorities reported a violent confrontation']),
    A('act-kosovo-police', 'Kosovo police', False, 'state_force', 'XK', 'act-kosovo',
      evidence=['a Kosovo police officer was killed'],
      notes='The article names only "a Kosovo police officer" / "one police officer"; the actor is the force he '
            'belonged to, named with the article\'s words.'),
    A('act-kosovo-pm', "Kosovo's prime minister", False, 'person', 'XK', 'act-kosovo', 'prime minister',
      evidence=["discussed the events with Kosovo's prime minister"]),
    A('act-kosovo-personnel', 'Kosovo personnel', False, 'group', 'XK',
      evidence=['poses a threat not only to Kosovo personnel']),
    A('act-international-personnel', 'international personnel', False, 'group',
      evidence=['but also to international personnel']),
    A('act-nato', 'NATO', True, 'international_organisation',
      evidence=['NATO authorized additional forces']),
    A('act-nato-forces', 'NATO forces', False, 'international_force', '', 'act-nato',
      evidence=['increasing the presence of NATO forces', '"including NATO troops."'],
      notes='"NATO troops" (L8) treated as the same referent as "NATO forces" (L4).'),
    A('act-kfor', "Kosovo's peacekeeping force", False, 'international_force', '', 'act-nato',
      evidence=["Kosovo's peacekeeping force would be increasing"],
      notes='The article does not name the force (no acronym given); affiliation to NATO follows from "the presence '
            'of NATO forces" it increases. country_code left empty: a multinational force, "Kosovo\'s" names where '
            'it serves, not its nationality.'),
    A('act-stoltenberg', 'Jens Stoltenberg', True, 'person', '', 'act-nato', 'NATO Secretary-General',
      evidence=['NATO Secretary-General Jens Stoltenberg']),
    A('act-all-parties', 'all parties', False, 'group', evidence=['urged all parties to de-escalate']),
    A('act-armed-serbs', 'heavily armed Serbs', False, 'armed_group', '',
      evidence=['approximately 30 heavily armed Serbs who entered'],
      notes='Unnamed armed group; later "attackers" (L5) and "the attack" (L8, L15). "Serbs" is an ethnic '
            'description, not a tie to the state of Serbia, so country_code and affiliation are left empty.'),
    A('act-lista-srpska', 'Lista Srpska', True, 'political_party', '',
      evidence=['Vice President of Lista Srpska']),
    A('act-radoicic', 'Milan Radoicic', True, 'person', '', 'act-lista-srpska', 'Vice President of Lista Srpska',
      evidence=['Vice President of Lista Srpska, Milan Radoicic']),
]

# ---------------------------------------------------------------- events
def E(**kw):
    base = dict(event_id='', description='', event_status='occurred', acled_disorder_type='', acled_event_type='',
                acled_sub_event_type='', cameo_code='', date='', date_start='', date_end='', date_precision='unknown',
                date_raw='', date_rule='none', date_reference='', date_basis='', date_cue='',
                time_local='', time_utc='', time_qualifier='', place_id='', geo_precision='', evidence=[], notes='')
    base.update(kw)
    if not base['notes']: del base['notes']
    return base

events = [
    E(event_id='ev-serbian-buildup',
      description='Serbian troops and military equipment are massed along the Kosovo border.',
      event_status='ongoing',
      acled_disorder_type='Strategic developments', acled_event_type='Strategic developments',
      acled_sub_event_type='Other', cameo_code='154',
      date='', date_start='', date_end=FRI, date_precision='before', date_raw='Friday',
      date_rule='ongoing_at_report', date_reference=REF,
      date_basis='resolved_relative', date_cue='The White House expressed concern Friday about a Serbian military buildup',
      place_id='pl-kosovo-border', geo_precision=3,
      evidence=['US monitors large Serbian force along Kosovo border',
                'there is an "unprecedented" accumulation of Serbian troops and military equipment along the border of Kosovo',
                'The White House expressed concern Friday about a Serbian military buildup along the Kosovo border',
                'the significant Serbian military presence along the Kosovo border'],
      notes='Reported as existing when the White House spoke on Friday (2023-09-29); start unknown. CAMEO 154 '
            '(mobilize/increase armed forces) rather than 150 because the text describes an accumulation/buildup, '
            'not a display. ACLED: troop build-ups are not violence; coded Strategic developments/Other (the '
            'alternative "Change to group/activity" was considered). Only the US side reports it; no Serbian '
            'source in the text.'),
    E(event_id='ev-kfor-reinforcement',
      description="Kosovo's peacekeeping force is to increase the presence of NATO forces in northern Kosovo.",
      event_status='announced',
      cameo_code='0334',
      date='', date_start=FRI, date_end='', date_precision='after', date_raw='',
      date_rule='after_referenced_event', date_reference=FRI,
      date_basis='inferred', date_cue="Kosovo's peacekeeping force would be increasing the presence of NATO forces",
      place_id='pl-northern-kosovo', geo_precision=3,
      evidence=["Kosovo's peacekeeping force would be increasing the presence of NATO forces in northern Kosovo"],
      notes='Announced (future "would be increasing"), reported by Kirby in his Friday remarks, so on or after '
            '2023-09-29; no date of its own. CAMEO 0334 (express intent to provide military protection or '
            'peacekeeping) because it is an announced peacekeeping reinforcement, not yet carried out; 154 would '
            'fit once it happens. ACLED left empty: announced, not occurred. Probably the implementation of '
            'ev-nato-authorizes-forces, but the article does not link them explicitly, so kept separate. '
            'date_rule after_referenced_event is the nearest rule: the reference is the NATO authorization of '
            'Friday, September 29 / Kirby\'s Friday remarks.'),
    E(event_id='ev-banjska-attack',
      description='About 30 heavily armed Serbs attacked near the village of Banjska, killing a Kosovo police '
                  'officer in a shooting, then barricaded themselves in a Serbian Orthodox monastery in a siege; '
                  'three attackers were killed.',
      event_status='occurred',
      acled_disorder_type='Political violence', acled_event_type='Battles', acled_sub_event_type='Armed clash',
      cameo_code='193',
      date=SUN, date_start=SUN, date_end=SUN, date_precision='day', date_raw='Sunday, September 24',
      date_rule='explicit_month_day', date_reference=REF,
      date_basis='stated', date_cue='the attack carried out on Sunday, September 24',
      time_local='03:00:00', time_utc='01:00:00', time_qualifier='approximately',
      place_id='pl-banjska', geo_precision=2,
      evidence=['Kosovo authorities reported a violent confrontation with approximately 30 heavily armed Serbs who entered the Kosovo village of Banjska',
                'They barricaded themselves in a Serbian Orthodox monastery, resulting in the death of three attackers and one police officer',
                'a Kosovo police officer was killed, in the northern municipality of Zvecan, on Sunday night, in a shooting',
                'The incident occurred around 3:00 AM local time (01:00 GMT) near the village of Banjska and then moved to become a siege situation in a nearby monastery',
                'the attack carried out on Sunday, September 24'],
      notes='Coded as ONE event (the shooting near Banjska and the monastery siege are the same day, same place and '
            'the article calls it one "incident" that "moved to become a siege"); ACLED would merge same-day '
            'same-location violence. Dating: L15 "Sunday, September 24" is explicit; L14 "on Sunday night" and L5 '
            '"Over the weekend" agree (the 3:00 AM time means the night of Saturday to Sunday). Battles/Armed clash '
            'because the counterpart is Kosovo police (state force), and the attackers were also killed. '
            'geo_precision 2: the text places it "near the village of Banjska" and in a "nearby monastery". '
            'CAMEO 193 (small arms: "shooting", "heavily armed").'),
    E(event_id='ev-weapons-discovered',
      description='Weaponry was discovered in connection with the attack.',
      event_status='occurred',
      acled_disorder_type='Strategic developments', acled_event_type='Strategic developments',
      acled_sub_event_type='Disrupted weapons use', cameo_code='',
      date='', date_start=SUN, date_end=FRI, date_precision='span', date_raw='',
      date_rule='after_referenced_event', date_reference=SUN,
      date_basis='inferred', date_cue='the weaponry discovered poses a threat',
      place_id='', geo_precision='',
      evidence=['the weaponry discovered poses a threat not only to Kosovo personnel'],
      notes='Only mentioned in passing by Kirby. Inferred bounds: not before the attack (2023-09-24), not after '
            'Kirby\'s Friday remarks (2023-09-29). Who found it and where is not stated (place left empty, '
            'presumably Banjska area). No CAMEO code fits a discovery of weapons. ACLED "Disrupted weapons use" '
            'covers seizures of weapons caches; judgement call whether a passing mention warrants an event.'),
    E(event_id='ev-blinken-call',
      description="US Secretary of State Antony Blinken spoke by phone with Serbia's president to convey US concerns.",
      event_status='occurred', cameo_code='041',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='on Friday',
      date_rule='weekday_in_reference_week', date_reference=REF,
      date_basis='resolved_relative', date_cue="a phone conversation with Serbia's president on Friday",
      evidence=["US Secretary of State Antony Blinken had a phone conversation with Serbia's president on Friday to convey US concerns"],
      notes='Reported second-hand ("according to Kirby"). CAMEO 041 discuss by telephone; the manual would code a '
            'two-way call twice with actors reversed - coded once here with Blinken as initiator. ACLED: diplomatic '
            'contact, out of scope.'),
    E(event_id='ev-sullivan-talks',
      description="White House national security adviser Jake Sullivan discussed the events with Kosovo's prime minister.",
      event_status='occurred', cameo_code='040',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='on Friday',
      date_rule='weekday_in_reference_week', date_reference=REF,
      date_basis='discourse_context', date_cue="on Friday to convey US concerns, while White House national security adviser Jake Sullivan discussed",
      evidence=["while White House national security adviser Jake Sullivan discussed the events with Kosovo's prime minister",
                {'quote': "on Friday to convey US concerns, while White House national security adviser Jake Sullivan", 'field': 'date_raw'}],
      notes='"on Friday" grammatically belongs to the Blinken clause; the Sullivan clause is joined by "while", '
            'read as same-day. Channel not stated (could have been a call), hence CAMEO 040 consult rather than 041. '
            'Reported second-hand ("according to Kirby").'),
    E(event_id='ev-nato-authorizes-forces',
      description='NATO authorized additional forces to address the situation in Kosovo.',
      event_status='occurred', cameo_code='154',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='Friday, September 29',
      date_rule='explicit_month_day', date_reference=REF,
      date_basis='stated', date_cue='Earlier on Friday, September 29, NATO authorized additional forces',
      place_id='pl-kosovo', geo_precision=3,
      evidence=['Earlier on Friday, September 29, NATO authorized additional forces to address the "current situation" in Kosovo'],
      notes='An occurred decision to increase forces: CAMEO 154 (0334 considered; chosen 154 because the '
            'authorization is an act, not only a stated intent). ACLED left empty: an institutional decision taken '
            'outside the theatre, no deployment reported yet. Place is what the forces are for ("in Kosovo"), '
            'not where the decision was taken; geo_precision 3 (country-level).'),
]

# ---------------------------------------------------------------- event_actors
def EA(ev, act, role, evidence, size='', sq='', notes=''):
    r = dict(event_actor_id=f'{ev}--{act}', event_id=ev, actor_id=act, role=role, size=size, size_qualifier=sq,
             evidence=evidence)
    if notes: r['notes'] = notes
    return r

event_actors = [
    EA('ev-serbian-buildup', 'act-serbian-troops', 'subject',
       ['accumulation of Serbian troops and military equipment along the border of Kosovo']),
    EA('ev-serbian-buildup', 'act-serbia', 'initiator', ['Kirby urged Serbia to withdraw these forces'],
       notes='Serbia as the state responsible is inferred from being asked to withdraw "these forces".'),
    EA('ev-kfor-reinforcement', 'act-kfor', 'initiator', ["Kosovo's peacekeeping force would be increasing"]),
    EA('ev-kfor-reinforcement', 'act-nato-forces', 'subject', ['increasing the presence of NATO forces']),
    EA('ev-banjska-attack', 'act-armed-serbs', 'attacker',
       ['approximately 30 heavily armed Serbs who entered', 'resulting in the death of three attackers'],
       size=30, sq='approximately'),
    EA('ev-banjska-attack', 'act-kosovo-police', 'target',
       ['a Kosovo police officer was killed', 'three attackers and one police officer'],
       notes='The article never says who fought the attackers besides the killed police officer; police as the '
             'opposing side is inferred from that casualty.'),
    EA('ev-banjska-attack', 'act-radoicic', 'claimed_participant',
       ['Milan Radoicic, confirmed in a letter his participation in the attack']),
    EA('ev-weapons-discovered', 'act-armed-serbs', 'object', ['this attack was not an isolated incident and that the weaponry discovered'],
       notes='Weakly supported: the weaponry is mentioned right after "this attack", so it is read as linked to '
             'the attackers; the text does not say whose weapons they were nor who found them.'),
    EA('ev-blinken-call', 'act-blinken', 'initiator', ['Antony Blinken had a phone conversation']),
    EA('ev-blinken-call', 'act-serbian-president', 'participant', ["a phone conversation with Serbia's president"]),
    EA('ev-sullivan-talks', 'act-sullivan', 'initiator', ['Jake Sullivan discussed the events']),
    EA('ev-sullivan-talks', 'act-kosovo-pm', 'participant', ["discussed the events with Kosovo's prime minister"]),
    EA('ev-nato-authorizes-forces', 'act-nato', 'initiator', ['NATO authorized additional forces']),
]

# ---------------------------------------------------------------- casualties
casualties = [
    dict(casualty_id='cas-banjska-attackers-killed', event_id='ev-banjska-attack', actor_id='act-armed-serbs',
         outcome='killed', count=3, count_low='', count_high='', qualifier='exact', count_raw='three attackers',
         evidence=['resulting in the death of three attackers']),
    dict(casualty_id='cas-banjska-police-killed', event_id='ev-banjska-attack', actor_id='act-kosovo-police',
         outcome='killed', count=1, count_low='', count_high='', qualifier='exact', count_raw='one police officer',
         evidence=['three attackers and one police officer', 'a Kosovo police officer was killed'],
         notes='L5 "one police officer" and L14 "a Kosovo police officer was killed" are read as the same person '
               '(same incident, same night, near Banjska); not double-counted.'),
]

# ---------------------------------------------------------------- statements
def S(**kw):
    base = dict(statement_id='', speaker_actor_id='', reported_by_actor_id='', date='', date_start='', date_end='',
                date_precision='unknown', date_raw='', date_rule='none', date_reference='', date_basis='',
                date_cue='', channel='unspecified', speech_act='stated', cameo_code='010', verbatim='',
                paraphrase='', event_id='', occasion_event_id='', precedes_event='', evidence=[], notes='')
    base.update(kw)
    if not base['notes']: del base['notes']
    return base

FRI_DISC = dict(date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='Friday',
                date_rule='weekday_in_reference_week', date_reference=REF, date_basis='discourse_context')
KIRBY_DATE_NOTE = ('Kirby\'s remarks are not dated in their own sentence; they are the White House remarks that '
                   'L3 dates "Friday", and Kirby also relays the Friday phone calls (L10), so 2023-09-29.')
FRI_CUE = {'quote': 'The White House expressed concern Friday', 'field': 'date_raw'}

statements = [
    S(statement_id='st-wh-unprecedented-buildup', speaker_actor_id='act-white-house', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='stated', cameo_code='010', verbatim='unprecedented',
      paraphrase='there is an "unprecedented" accumulation of Serbian troops and military equipment along the border of Kosovo',
      event_id='ev-serbian-buildup',
      evidence=['The White House stated that there is an "unprecedented" accumulation of Serbian troops and military equipment along the border of Kosovo',
                FRI_CUE],
      notes='Lede; may summarise the same White House remarks as L3. Kept as its own record because the speech '
            'act differs ("stated" a fact vs "expressed concern"). Dated from L3 (discourse context). The headline '
            '(L1) is cited by the buildup event rather than coded as a further statement.'),
    S(statement_id='st-wh-concern-buildup', speaker_actor_id='act-white-house',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='Friday',
      date_rule='weekday_in_reference_week', date_reference=REF, date_basis='resolved_relative',
      date_cue='The White House expressed concern Friday',
      speech_act='expressed_concern', cameo_code='012',
      paraphrase='expressed concern Friday about a Serbian military buildup along the Kosovo border, triggering instability in the region',
      event_id='ev-serbian-buildup',
      evidence=['The White House expressed concern Friday about a Serbian military buildup along the Kosovo border, triggering instability in the region']),
    S(statement_id='st-wh-call-withdrawal', speaker_actor_id='act-white-house', **FRI_DISC,
      date_cue='Hence, the White House called for',
      speech_act='called_for', cameo_code='0256',
      paraphrase='called for the immediate withdrawal of these forces',
      event_id='ev-serbian-buildup',
      evidence=['Hence, the White House called for the immediate withdrawal of these forces', FRI_CUE],
      notes='"Hence" ties it to the Friday expression of concern in the previous sentence. CAMEO 0256 (appeal for '
            'de-escalation, incl. withdrawals) rather than 1056 (demand): the verb is "called for"; "immediate" '
            'makes 1056 arguable.'),
    S(statement_id='st-kirby-kfor-increase', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      channel='remarks_to_reporters', speech_act='informed', cameo_code='010',
      paraphrase="due to these escalating tensions, Kosovo's peacekeeping force would be increasing the presence of NATO forces in northern Kosovo",
      event_id='ev-kfor-reinforcement', precedes_event=True,
      evidence=["John Kirby, the White House national security spokesperson, informed reporters that due to these escalating tensions, Kosovo's peacekeeping force would be increasing the presence of NATO forces in northern Kosovo",
                FRI_CUE],
      notes=KIRBY_DATE_NOTE + ' CAMEO 010: Kirby announces another actor\'s step; 0334 belongs to the force '
            'itself (coded on the event). precedes_event true: announced before the increase.'),
    S(statement_id='st-kosovo-authorities-report', speaker_actor_id='act-kosovo-authorities',
      date=SUN, date_start=SUN, date_end=SUN, date_precision='day', date_raw='Over the weekend',
      date_rule='weekend_before_reference', date_reference=REF, date_basis='inferred',
      date_cue='Over the weekend, Kosovo authorities reported',
      speech_act='reported', cameo_code='010',
      paraphrase='reported a violent confrontation with approximately 30 heavily armed Serbs who entered the Kosovo village of Banjska',
      event_id='ev-banjska-attack',
      evidence=['Over the weekend, Kosovo authorities reported a violent confrontation with approximately 30 heavily armed Serbs who entered the Kosovo village of Banjska'],
      notes='"Over the weekend" gives Sat 23 - Sun 24 Sept; the report cannot precede the attack (Sunday 24, about '
            '3:00 AM), so it is narrowed to Sunday 2023-09-24 (inferred). If "over the weekend" is read as dating '
            'the confrontation rather than the report, the report date would be unknown.'),
    S(statement_id='st-kirby-attack-not-isolated', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='emphasized', cameo_code='012', verbatim='including NATO troops.',
      paraphrase='this attack was not an isolated incident and that the weaponry discovered poses a threat not only to Kosovo personnel but also to international personnel',
      event_id='ev-banjska-attack',
      evidence=['Kirby emphasized that this attack was not an isolated incident and that the weaponry discovered poses a threat not only to Kosovo personnel but also to international personnel, "including NATO troops."',
                FRI_CUE],
      notes=KIRBY_DATE_NOTE + ' One speech act with two points (attack not isolated; weaponry a threat); linked '
            'to the attack, the weapons are ev-weapons-discovered. CAMEO 012 (pessimistic: a threat) - no one is '
            'explicitly accused, so not 112/1123. Verbatim keeps the closing period that sits inside the quotation '
            'marks.'),
    S(statement_id='st-kirby-call-investigation', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='called_for', cameo_code='020',
      paraphrase='called for a thorough investigation',
      event_id='ev-banjska-attack',
      evidence=['He called for a thorough investigation', FRI_CUE],
      notes=KIRBY_DATE_NOTE + ' CAMEO 020: no code in the allowed list is an appeal for an investigation (093 is '
            'the investigating itself).'),
    S(statement_id='st-kirby-urge-serbia-cooperate', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='urged', cameo_code='020',
      paraphrase='urged Serbian authorities to cooperate in the inquiry',
      event_id='ev-banjska-attack',
      evidence=['urged Serbian authorities to cooperate in the inquiry', FRI_CUE],
      notes=KIRBY_DATE_NOTE + ' Split from the call for an investigation (same sentence) because it has its own '
            'speech act and its own target. CAMEO 020 (0213 judicial cooperation is not in the allowed list).'),
    S(statement_id='st-kirby-destabilizing', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='described', cameo_code='111',
      paraphrase='Describing the significant Serbian military presence along the Kosovo border as a destabilizing development',
      event_id='ev-serbian-buildup',
      evidence=['Describing the significant Serbian military presence along the Kosovo border as a destabilizing development',
                FRI_CUE],
      notes=KIRBY_DATE_NOTE + ' CAMEO 111 (criticize: disapproval of a specific action of Serbia) rather than 012; '
            'close call.'),
    S(statement_id='st-kirby-urge-serbia-withdraw', speaker_actor_id='act-kirby', **FRI_DISC,
      date_cue='The White House expressed concern Friday',
      speech_act='urged', cameo_code='0256',
      paraphrase='urged Serbia to withdraw these forces and contribute to reducing tensions',
      event_id='ev-serbian-buildup',
      evidence=['Kirby urged Serbia to withdraw these forces and contribute to reducing tensions', FRI_CUE],
      notes=KIRBY_DATE_NOTE),
    S(statement_id='st-blinken-convey-concerns', speaker_actor_id='act-blinken', reported_by_actor_id='act-kirby',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='on Friday',
      date_rule='weekday_in_reference_week', date_reference=REF, date_basis='resolved_relative',
      date_cue="a phone conversation with Serbia's president on Friday",
      channel='phone_call', speech_act='conveyed', cameo_code='012',
      paraphrase='to convey US concerns',
      event_id='', occasion_event_id='ev-blinken-call',
      evidence=["Antony Blinken had a phone conversation with Serbia's president on Friday to convey US concerns",
                {'quote': 'according to Kirby', 'field': 'reported_by_actor_id'}],
      notes='The article does not say what the concerns were about, so event_id is left empty (most likely the '
            'buildup and the attack). CAMEO 012 for the concern itself; the call is the event (041).'),
    S(statement_id='st-sullivan-dialogue', speaker_actor_id='act-sullivan', reported_by_actor_id='act-kirby',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='on Friday',
      date_rule='weekday_in_reference_week', date_reference=REF, date_basis='discourse_context',
      date_cue="on Friday to convey US concerns, while White House national security adviser Jake Sullivan",
      channel='unspecified', speech_act='emphasized', cameo_code='026',
      paraphrase='emphasizing the importance of dialogue',
      event_id='', occasion_event_id='ev-sullivan-talks',
      evidence=["Jake Sullivan discussed the events with Kosovo's prime minister, emphasizing the importance of dialogue, according to Kirby",
                {'quote': "on Friday to convey US concerns, while White House national security adviser Jake Sullivan", 'field': 'date_raw'}],
      notes='"emphasizing" attached to Sullivan (nearest clause), not to Blinken. CAMEO 026 (appeal to meet or '
            'negotiate: importance of dialogue). Date: see ev-sullivan-talks. event_id empty: "the events" are not '
            'specified.'),
    S(statement_id='st-stoltenberg-nato-authorized', speaker_actor_id='act-stoltenberg',
      date=FRI, date_start=FRI, date_end=FRI, date_precision='day', date_raw='said Friday',
      date_rule='weekday_in_reference_week', date_reference=REF, date_basis='resolved_relative',
      date_cue='Jens Stoltenberg said Friday in a statement',
      channel='statement', speech_act='informed', cameo_code='010', verbatim='current situation',
      paraphrase='NATO authorized additional forces to address the "current situation" in Kosovo',
      event_id='ev-nato-authorizes-forces',
      evidence=['Earlier on Friday, September 29, NATO authorized additional forces to address the "current situation" in Kosovo NATO Secretary-General Jens Stoltenberg said Friday in a statement'],
      notes='The sentence lacks punctuation between the report and its attribution; read as "..., NATO '
            'Secretary-General Jens Stoltenberg said". The same sentence prints "Friday, September 29", so the '
            'resolution of "said Friday" is certain.'),
    S(statement_id='st-stoltenberg-deescalate', speaker_actor_id='act-stoltenberg', **{**FRI_DISC, 'date_raw': 'said Friday in a statement'},
      date_cue='Stoltenberg also urged',
      channel='statement', speech_act='urged', cameo_code='0256',
      paraphrase='urged all parties to de-escalate',
      event_id='',
      evidence=['Stoltenberg also urged all parties to de-escalate',
                {'quote': 'Jens Stoltenberg said Friday in a statement', 'field': 'date_raw'}],
      notes='"also" places it in the Friday statement of the previous sentence (discourse context), hence channel '
            '"statement". No specific coded event: the appeal is about the situation in general.'),
    S(statement_id='st-stoltenberg-eu-dialogue', speaker_actor_id='act-stoltenberg', **{**FRI_DISC, 'date_raw': 'said Friday in a statement'},
      date_cue='Stoltenberg also urged all parties to de-escalate noting',
      channel='statement', speech_act='noted', cameo_code='026',
      verbatim='only way to resolve outstanding issues and reach solutions that respect the rights of all communities, ... engage in the EU-facilitated dialogue.',
      paraphrase='only way to resolve outstanding issues and reach solutions that respect the rights of all communities," is for Kosovo and Serbia to "engage in the EU-facilitated dialogue.',
      event_id='',
      evidence=['noting that the "only way to resolve outstanding issues and reach solutions that respect the rights of all communities," is for Kosovo and Serbia to "engage in the EU-facilitated dialogue."',
                {'quote': 'Jens Stoltenberg said Friday in a statement', 'field': 'date_raw'}],
      notes='Split from the de-escalation appeal because it has its own speech act ("noting") and different targets '
            '(Kosovo and Serbia, not "all parties"). CAMEO 026 (appeal to negotiate). Verbatim joins the two quoted '
            'fragments with " ... "; the comma and final period sit inside the article\'s quotation marks. The EU '
            'is named only as facilitator, not coded as an actor.'),
    S(statement_id='st-radoicic-confirms-participation', speaker_actor_id='act-radoicic',
      date='', date_start=SUN, date_end='', date_precision='after', date_raw='',
      date_rule='after_referenced_event', date_reference=SUN, date_basis='inferred',
      date_cue='confirmed in a letter his participation in the attack carried out on Sunday, September 24',
      channel='letter', speech_act='confirmed', cameo_code='015',
      paraphrase='confirmed in a letter his participation in the attack',
      event_id='ev-banjska-attack',
      evidence=['Vice President of Lista Srpska, Milan Radoicic, confirmed in a letter his participation in the attack carried out on Sunday, September 24'],
      notes='The letter is not dated; "Sunday, September 24" dates the attack. It can only be after the attack; no '
            'upper bound because the publication date has no upper bound. The article\'s own phrase, "confirmed", '
            'is kept (CAMEO 015 claim responsibility/participation).'),
]

# ---------------------------------------------------------------- statement_actors
def SA(st, act, role, evidence, notes=''):
    r = dict(statement_actor_id=f'{st}--{act}', statement_id=st, actor_id=act, role=role, evidence=evidence)
    if notes: r['notes'] = notes
    return r

statement_actors = [
    SA('st-wh-unprecedented-buildup', 'act-serbian-troops', 'target', ['accumulation of Serbian troops']),
    SA('st-wh-concern-buildup', 'act-serbian-troops', 'target', ['concern Friday about a Serbian military buildup']),
    SA('st-wh-call-withdrawal', 'act-serbian-troops', 'target', ['the immediate withdrawal of these forces'],
       notes='The forces to be withdrawn; the state asked to withdraw them (Serbia) is only explicit in L9.'),
    SA('st-kirby-kfor-increase', 'act-reporters', 'addressee', ['informed reporters']),
    SA('st-kirby-kfor-increase', 'act-kfor', 'target', ["Kosovo's peacekeeping force would be increasing"],
       notes='Spoken about (announced step of this force), not addressed.'),
    SA('st-kosovo-authorities-report', 'act-armed-serbs', 'target', ['a violent confrontation with approximately 30 heavily armed Serbs']),
    SA('st-kirby-attack-not-isolated', 'act-kosovo-personnel', 'target', ['a threat not only to Kosovo personnel'],
       notes='Party said to be threatened (spoken about), not addressed.'),
    SA('st-kirby-attack-not-isolated', 'act-international-personnel', 'target', ['also to international personnel'],
       notes='Party said to be threatened (spoken about), not addressed.'),
    SA('st-kirby-attack-not-isolated', 'act-nato-forces', 'target', ['"including NATO troops."'],
       notes='Party said to be threatened (spoken about), not addressed.'),
    SA('st-kirby-urge-serbia-cooperate', 'act-serbian-authorities', 'target', ['urged Serbian authorities to cooperate'],
       notes='Asked to act; the article does not say the appeal was made to them directly (public remarks), so '
             'target, not addressee.'),
    SA('st-kirby-destabilizing', 'act-serbian-troops', 'target', ['the significant Serbian military presence']),
    SA('st-kirby-urge-serbia-withdraw', 'act-serbia', 'target', ['Kirby urged Serbia to withdraw'],
       notes='Asked to act, through public remarks: target, not addressee.'),
    SA('st-blinken-convey-concerns', 'act-serbian-president', 'addressee', ["phone conversation with Serbia's president"]),
    SA('st-sullivan-dialogue', 'act-kosovo-pm', 'addressee', ["discussed the events with Kosovo's prime minister"],
       notes='Also implicitly the one asked to engage in dialogue; one role per pair allowed, addressee chosen.'),
    SA('st-stoltenberg-nato-authorized', 'act-nato', 'target', ['NATO authorized additional forces'],
       notes='The statement is about NATO\'s own decision (speaker speaks for NATO).'),
    SA('st-stoltenberg-deescalate', 'act-all-parties', 'target', ['urged all parties to de-escalate']),
    SA('st-stoltenberg-eu-dialogue', 'act-kosovo', 'target', ['is for Kosovo and Serbia to "engage'],
       notes='Asked to act (engage in dialogue), not addressed.'),
    SA('st-stoltenberg-eu-dialogue', 'act-serbia', 'target', ['Kosovo and Serbia to "engage in the EU-facilitated'],
       notes='Asked to act (engage in dialogue), not addressed.'),
]

# ---------------------------------------------------------------- excused
excused = [
    dict(unit_id='L06S01', text='This confrontation has raised international alarm about the stability of Kosovo.',
         reason='Journalistic characterisation of reactions; no identifiable actor, speech act or event to code.'),
    dict(unit_id='L07S01', text='Read next: Serbia suffers millions in losses due to Kosovo blockade on products',
         reason='Navigation link to another article (line kind "navigation"), not part of the story.'),
    dict(unit_id='L11S01', text='The bigger picture', reason='Sub-heading; no content to code.'),
]

# ================================================================ checks
def split_units(src):
    units = []
    pos = 0
    for ln, line in enumerate(src.split('\n'), 1):
        # sentence ends: [.!?] optionally followed by a closing quote, then a space and a capital letter
        starts = [0] + [m.end() for m in re.finditer(r'(?<=[.!?])"?\s+(?=[A-Z])', line)]
        for si, st in enumerate(starts):
            en = starts[si + 1] if si + 1 < len(starts) else len(line)
            text = line[st:en].rstrip()
            units.append(dict(unit_id=f'L{ln:02d}S{si+1:02d}', start=pos + st, end=pos + st + len(text), text=text))
        pos += len(line) + 1
    return units

UNITS = split_units(SRC)

def q_of(e):
    return e['quote'] if isinstance(e, dict) else e

def unit_for(q):
    i = SRC.find(q)
    for u in UNITS:
        if u['start'] <= i and i + len(q) <= u['end']:
            return u['unit_id']
    return None

SOURCE_TEXT = {'places': ['name'], 'actors': ['name', 'title'], 'events': ['date_raw'],
               'statements': ['date_raw', 'paraphrase'], 'casualties': ['count_raw'], 'event_actors': [],
               'statement_actors': []}
errors = []
cited = set()
tables = dict(places=places, actors=actors, events=events, event_actors=event_actors, casualties=casualties,
              statements=statements, statement_actors=statement_actors)
for t, recs in tables.items():
    for r in recs:
        rid = list(r.values())[0]
        quotes = [q_of(e) for e in r['evidence']]
        for e in r['evidence']:
            q = q_of(e)
            n = SRC.count(q)
            if n != 1:
                errors.append(f'{t}/{rid}: quote occurs {n}x: {q!r}')
                continue
            u = unit_for(q)
            if not u:
                errors.append(f'{t}/{rid}: quote spans sentences: {q!r}')
            cited.add(u)
        for f in SOURCE_TEXT[t]:
            v = r.get(f, '')
            if v and not any(v in q for q in quotes):
                errors.append(f'{t}/{rid}: {f}={v!r} not inside its quotes')
        if t == 'statements' and r['verbatim']:
            for frag in r['verbatim'].split(' ... '):
                if not any(frag in q for q in quotes):
                    errors.append(f'{t}/{rid}: verbatim fragment {frag!r} not inside its quotes')
        if t == 'events' or t == 'statements':
            if r['date'] and r['date_precision'] != 'day':
                errors.append(f'{t}/{rid}: date given but precision {r["date_precision"]}')
            dc = r.get('date_cue')
            if dc and SRC.count(dc) != 1:
                errors.append(f'{t}/{rid}: date_cue not a unique substring: {dc!r}')

ids = {t: {list(r.values())[0] for r in recs} for t, recs in tables.items()}
def fk(t, field, target):
    for r in tables[t]:
        v = r.get(field)
        if v and v not in ids[target]:
            errors.append(f'{t}/{list(r.values())[0]}: {field}={v} missing in {target}')
fk('events', 'place_id', 'places'); fk('places', 'parent_place_id', 'places')
fk('actors', 'affiliation_actor_id', 'actors')
for f, tg in [('event_id', 'events'), ('actor_id', 'actors')]:
    fk('event_actors', f, tg); fk('casualties', f, tg)
for f, tg in [('speaker_actor_id', 'actors'), ('reported_by_actor_id', 'actors'), ('event_id', 'events'),
              ('occasion_event_id', 'events')]:
    fk('statements', f, tg)
fk('statement_actors', 'statement_id', 'statements'); fk('statement_actors', 'actor_id', 'actors')

# enum checks against the schemas
for t in tables:
    sch = json.load(open(f'/work/main/schemas/{t}.schema.json'))
    for fdef in sch['fields']:
        en = fdef.get('constraints', {}).get('enum')
        if not en: continue
        for r in tables[t]:
            v = r.get(fdef['name'], '')
            if v not in ('', None) and v not in en:
                errors.append(f'{t}/{list(r.values())[0]}: {fdef["name"]}={v!r} not in enum')

for u in UNITS:
    if u['unit_id'] not in cited and u['unit_id'] not in {x['unit_id'] for x in excused}:
        errors.append(f'unit {u["unit_id"]} neither cited nor excused: {u["text"][:60]}')
for x in excused:
    if x['unit_id'] in cited:
        errors.append(f'excused unit {x["unit_id"]} is also cited')
    if x['text'] not in [u['text'] for u in UNITS if u['unit_id'] == x['unit_id']]:
        errors.append(f'excused text mismatch {x["unit_id"]}')

print('units:', len(UNITS))
for u in UNITS:
    print(' ', u['unit_id'], u['text'][:70])
print('ERRORS' if errors else 'OK', *errors, sep='\n')

class D(yaml.SafeDumper):
    pass
D.ignore_aliases = lambda self, data: True
D.add_representer(str, lambda d, s: d.represent_scalar('tag:yaml.org,2002:str', s))
# convenience copy of the statement_actors links inside each statement (statement_actors.yaml is canonical)
for st in statements:
    st['statement_actors'] = [dict(actor_id=x['actor_id'], role=x['role']) for x in statement_actors
                              if x['statement_id'] == st['statement_id']]
for t, recs in list(tables.items()) + [('excused', excused)]:
    with open(os.path.join(HERE, f'{t}.yaml'), 'w', encoding='utf-8') as fh:
        fh.write(f'# second coder, src-000, table {t}\n')
        yaml.dump({'source_id': 'src-000', 'records': recs}, fh, Dumper=D, sort_keys=False, allow_unicode=True,
                  width=110)
print({t: len(r) for t, r in tables.items()}, 'excused', len(excused))
