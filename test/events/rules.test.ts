import {
  clocksSatisfiedBy,
  defaultResponsibleDepartment,
  planClocks,
  requiredClockKinds,
} from '../../src/events/rules.js';

describe('response rules', () => {
  test('major and extraordinary emergencies get the 5 h and 24 h clocks, everything else 48 h', () => {
    expect(requiredClockKinds({ severity: 'major', emergency: true })).toEqual([
      'initial_release',
      'press_conference',
    ]);
    expect(requiredClockKinds({ severity: 'extraordinary', emergency: true })).toEqual([
      'initial_release',
      'press_conference',
    ]);
    expect(requiredClockKinds({ severity: 'large', emergency: true })).toEqual(['response']);
    expect(requiredClockKinds({ severity: 'major', emergency: false })).toEqual(['response']);
    expect(requiredClockKinds({ severity: 'general', emergency: false })).toEqual(['response']);
  });

  test('re-triage from 一般 to 重大+突发 replaces the 48 h clock by the 5 h and 24 h clocks', () => {
    const plan = planClocks(requiredClockKinds({ severity: 'major', emergency: true }), [
      { id: 7, kind: 'response', state: 'running' },
    ]);
    expect(plan).toEqual({ cancel: [7], open: ['initial_release', 'press_conference'] });
  });

  test('a finished clock is not reopened, a cancelled one may be', () => {
    expect(
      planClocks(
        ['initial_release', 'press_conference'],
        [
          { id: 1, kind: 'initial_release', state: 'met' },
          { id: 2, kind: 'press_conference', state: 'cancelled' },
          { id: 3, kind: 'response', state: 'met' },
        ],
      ),
    ).toEqual({ cancel: [], open: ['press_conference'] });
  });

  test('actions stop the clocks they satisfy', () => {
    expect(clocksSatisfiedBy('press_conference')).toContain('press_conference');
    expect(clocksSatisfiedBy('initial_release')).toEqual(['initial_release', 'response']);
    expect(clocksSatisfiedBy('follow_up')).toEqual([]);
  });

  test('属地管理 first, then 谁主管谁负责', () => {
    const depts = [
      { id: 1, name: '区教育局', kind: 'department' },
      { id: 2, name: '区应急管理局', kind: 'department' },
      { id: 3, name: '青石镇', kind: 'town' },
      { id: 4, name: '示例区东湖街道', kind: 'town' },
    ];
    expect(defaultResponsibleDepartment('青石镇化工厂爆炸', ['安全生产'], depts)).toBe(3);
    expect(defaultResponsibleDepartment('东湖街道学校食堂', ['就学'], depts)).toBe(4);
    expect(defaultResponsibleDepartment('某小学午餐', ['就学'], depts)).toBe(1);
    expect(defaultResponsibleDepartment('无关', [], depts)).toBeNull();
  });
});
